package dev.caravan.web;

import java.io.IOException;

import dev.caravan.api.GatewayException;
import dev.caravan.api.OpenAiErrors;
import jakarta.servlet.http.HttpServletResponse;

/** Refusals the servlet filters answer themselves, before any route or controller: the OpenAI error shape too. */
final class ErrorResponses {

    private ErrorResponses() {
    }

    /**
     * Writes the error and flushes it, so that the client has its answer even while the container
     * still drains (or gives up on) a request body nobody reads.
     *
     * @param close end the connection after the answer: the rest of a refused body must not be read
     *              as the next request
     */
    static void write(HttpServletResponse response, GatewayException error, boolean close) {
        if (response.isCommitted()) {
            return;
        }
        byte[] body = OpenAiErrors.body(error);
        response.setStatus(error.status());
        response.setContentType("application/json");
        response.setContentLength(body.length);
        if (error.retryAfterSeconds() != null) {
            response.setHeader("Retry-After", String.valueOf(error.retryAfterSeconds()));
        }
        if (close) {
            response.setHeader("Connection", "close");
        }
        try {
            response.getOutputStream().write(body);
            response.flushBuffer();
        } catch (IOException clientGone) {
            // nobody left to tell
        }
    }
}
