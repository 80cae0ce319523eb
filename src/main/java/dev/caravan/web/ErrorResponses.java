package dev.caravan.web;

import java.io.IOException;

import dev.caravan.api.GatewayException;
import dev.caravan.api.OpenAiErrors;
import dev.caravan.ingress.messages.MessagesErrors;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Refusals the servlet filters answer themselves, before any route or controller: in the OpenAI error
 * shape, or Anthropic's for {@code /v1/messages}, whose clients read only theirs.
 */
final class ErrorResponses {

    private static final String ANTHROPIC_PATH = "/v1/messages";

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
        write(response, error, close, null);
    }

    /** As above, in the error shape of the API {@code path} belongs to. */
    static void write(HttpServletResponse response, GatewayException error, boolean close, String path) {
        if (response.isCommitted()) {
            return;
        }
        byte[] body = path != null && path.startsWith(ANTHROPIC_PATH) ? MessagesErrors.body(error) : OpenAiErrors.body(error);
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
