package dev.caravan.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResponseDeadlineTest {

    private static final long MINUTE = Duration.ofMinutes(1).toNanos();

    @Test
    void passesWritesThroughBeforeTheDeadline() throws IOException {
        MockHttpServletResponse response = new MockHttpServletResponse();
        ServletOutputStream out = ResponseDeadline.within(response, MINUTE).getOutputStream();

        out.write("data: one\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        out.close();

        assertThat(response.getContentAsString()).isEqualTo("data: one\n\n");
        assertThat(response.getStatus()).isEqualTo(200);
    }

    @Test
    void cutsAStreamUnderWayOnceTheDeadlineHasPassed() throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        ServletOutputStream out = ResponseDeadline.within(response, Duration.ofSeconds(1).toNanos()).getOutputStream();
        out.write("data: one\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();

        Thread.sleep(1_100);

        assertThatThrownBy(() -> out.write("data: late\n\n".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class).hasMessageContaining("time limit");
        assertThatThrownBy(out::flush).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> out.write('x')).isInstanceOf(IOException.class);
        assertThat(response.getContentAsString()).isEqualTo("data: one\n\n");
        assertThat(response.getStatus()).isEqualTo(200);
    }

    @Test
    void answersAResponseNotYetBegun503AndDoesNotEndItAsAnEmpty200() throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        HttpServletResponse limited = ResponseDeadline.within(response, 1);
        Thread.sleep(1);

        ServletOutputStream out = limited.getOutputStream();
        assertThatThrownBy(() -> out.write("{}".getBytes(StandardCharsets.UTF_8))).isInstanceOf(IOException.class);
        out.close();

        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getContentAsByteArray()).isEmpty();
        assertThatThrownBy(limited::getWriter).isInstanceOf(IOException.class);
        assertThatThrownBy(limited::flushBuffer).isInstanceOf(IOException.class);
    }

    @Test
    void takesZeroNegativeAndUnboundedLimitsAsNoLimit() {
        MockHttpServletResponse response = new MockHttpServletResponse();

        assertThat(ResponseDeadline.nanosOf(Duration.ZERO)).isZero();
        assertThat(ResponseDeadline.nanosOf(Duration.ofMillis(-1))).isZero();
        assertThat(ResponseDeadline.nanosOf(Duration.ofSeconds(Long.MAX_VALUE))).isZero();
        assertThat(ResponseDeadline.nanosOf(Duration.ofMinutes(30))).isEqualTo(Duration.ofMinutes(30).toNanos());
        assertThat(ResponseDeadline.within(response, 0)).isSameAs(response);
    }
}
