package dev.caravan.web;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.apache.camel.StreamCache;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The body the front read, as the route gets it: the front's own array (no copy), re-readable as the
 * stream cache Camel's binding used to make of it.
 */
class RouteRequestTest {

    private static final byte[] BODY = "{\"model\":\"m\",\"messages\":[]}".getBytes(StandardCharsets.UTF_8);

    @Test
    void theBodyIsTheFrontsArrayAndReadsAgainAfterAReset() throws Exception {
        RouteRequest request = new RouteRequest(new MockHttpServletRequest("POST", "/v1/chat/completions"), BODY);
        RouteRequest.InMemory in = (RouteRequest.InMemory) request.getInputStream();

        assertThat(in.bytes()).isSameAs(BODY);
        assertThat(in.readAllBytes()).isEqualTo(BODY);
        assertThat(in.isFinished()).isTrue();
        assertThat(in.position()).isEqualTo(BODY.length);

        in.reset();
        assertThat(in.position()).isZero();
        assertThat(in.readNBytes(7)).isEqualTo("{\"model".getBytes(StandardCharsets.UTF_8));
        // what is left, from where the reader is
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        in.writeTo(rest);
        assertThat(rest.toString(StandardCharsets.UTF_8)).isEqualTo("\":\"m\",\"messages\":[]}");

        StreamCache copy = in.copy(null);
        assertThat(copy.position()).isZero();
        assertThat(copy.length()).isEqualTo(BODY.length);
        assertThat(copy.inMemory()).isTrue();
        assertThat(((RouteRequest.InMemory) copy).readAllBytes()).isEqualTo(BODY);
    }

    @Test
    void aRequestWhoseBodyTheFrontDidNotReadReadsTheConnection() throws Exception {
        MockHttpServletRequest original = new MockHttpServletRequest("GET", "/v1/models/m");
        original.setContent(BODY);
        RouteRequest request = new RouteRequest(original, null);

        assertThat(request.bodyInMemory()).isFalse();
        assertThat(request.getInputStream()).isNotInstanceOf(RouteRequest.InMemory.class);
        assertThat(request.getInputStream().readAllBytes()).isEqualTo(BODY);
    }
}
