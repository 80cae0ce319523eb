package dev.caravan.web;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import dev.caravan.support.GatewayTest;
import dev.caravan.support.RawHttp;
import org.apache.catalina.connector.Connector;
import org.apache.coyote.AbstractProtocol;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.apache.tomcat.util.net.AbstractEndpoint;
import org.apache.tomcat.util.net.SocketProperties;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.web.embedded.tomcat.TomcatWebServer;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tomcat's per-connection buffers made smaller (web.TomcatBuffersConfig): set on the running
 * connector, and bodies many times their size still pass whole both ways.
 */
class TomcatBuffersTest extends GatewayTest {

    @Autowired
    ServletWebServerApplicationContext context;

    @Test
    void theRunningConnectorHasTheSmallerBuffers() throws Exception {
        Connector connector = ((TomcatWebServer) context.getWebServer()).getTomcat().getConnector();
        AbstractHttp11Protocol<?> protocol = (AbstractHttp11Protocol<?>) connector.getProtocolHandler();
        // the endpoint's own socket settings (Connector.getProperty would echo what was set)
        Method endpointOf = AbstractProtocol.class.getDeclaredMethod("getEndpoint");
        endpointOf.setAccessible(true);
        SocketProperties socket = ((AbstractEndpoint<?, ?>) endpointOf.invoke(protocol)).getSocketProperties();
        assertThat(socket.getAppReadBufSize()).isEqualTo(4096);
        assertThat(socket.getAppWriteBufSize()).isEqualTo(4096);
        assertThat(protocol.getMaxTrailerSize()).isEqualTo(1024);
    }

    @Test
    void aPromptAndAnAnswerOfManyBuffersPassWhole() throws Exception {
        String text = "lorem ipsum ".repeat(40_000); // 480 KB, in and back out (the echo model)
        String body = "{\"model\":\"echo\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";

        var answer = post("/v1/chat/completions", body, newFundedKey("100"));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(json(answer).path("choices").get(0).path("message").path("content").asText()).isEqualTo(text);
    }

    @Test
    void aChunkedBodyWithTrailersBeyondTheBoundIsRefused() throws Exception {
        byte[] body = chat("chat", "").getBytes(StandardCharsets.UTF_8);
        try (RawHttp raw = RawHttp.connect(port)) {
            raw.head("POST", "/v1/chat/completions", "Content-Type: application/json", "Transfer-Encoding: chunked",
                    "Authorization: Bearer " + apiKey());
            raw.chunk(body);
            raw.send("0\r\nX-Padding: " + "p".repeat(2048) + "\r\n\r\n");

            assertThat(raw.response(Duration.ofSeconds(10)).status()).isEqualTo(400);
        }
    }
}
