package dev.caravan.web;

import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.embedded.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

/**
 * Tomcat's per-connection buffers that Spring Boot's properties do not reach, smaller than Tomcat's
 * 8 KB each. Every one is allocated for every connection with a request in flight, used or not, and a
 * held stream keeps them for as long as it lasts (docs/performance.md, "Heap per held stream"):
 * <ul>
 *   <li>the socket's read and write buffers ({@code caravan.http.socket-buffer}): a larger read or
 *       write only takes more system calls through a smaller buffer, and the gateway's streams write
 *       events of tens to hundreds of bytes;</li>
 *   <li>the buffer for a chunked request body's trailer headers ({@code caravan.http.max-trailer-size}):
 *       no API client sends trailers, and Tomcat drops any it was not told to allow.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
public class TomcatBuffersConfig {

    @Bean
    TomcatConnectorCustomizer smallerConnectionBuffers(@Value("${caravan.http.socket-buffer:4KB}") DataSize socketBuffer,
                                                      @Value("${caravan.http.max-trailer-size:1KB}") DataSize maxTrailer) {
        return connector -> {
            String bytes = String.valueOf(socketBuffer.toBytes());
            connector.setProperty("socket.appReadBufSize", bytes);
            connector.setProperty("socket.appWriteBufSize", bytes);
            if (connector.getProtocolHandler() instanceof AbstractHttp11Protocol<?> http11) {
                http11.setMaxTrailerSize((int) maxTrailer.toBytes());
            }
        };
    }
}
