package dev.caravan.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.ServletOutputStream;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResponseDeadlineTest {

    @Test
    void passesWritesThroughBeforeTheDeadline() throws IOException {
        MockHttpServletResponse response = new MockHttpServletResponse();
        ServletOutputStream out = new ResponseDeadline(response, System.nanoTime() + 60_000_000_000L).getOutputStream();

        out.write("data: one\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();

        assertThat(response.getContentAsString()).isEqualTo("data: one\n\n");
    }

    @Test
    void cutsTheResponseOnceTheDeadlineHasPassed() throws IOException {
        MockHttpServletResponse response = new MockHttpServletResponse();
        ServletOutputStream out = new ResponseDeadline(response, System.nanoTime() - 1).getOutputStream();

        assertThatThrownBy(() -> out.write("data: late\n\n".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class).hasMessageContaining("time limit");
        assertThatThrownBy(out::flush).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> out.write('x')).isInstanceOf(IOException.class);
        assertThat(response.getContentAsByteArray()).isEmpty();
    }
}
