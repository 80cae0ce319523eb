package dev.caravan.web;

import dev.caravan.api.GatewayException;
import dev.caravan.api.OpenAiErrors;
import dev.caravan.billing.DatabaseFailures;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;

/** The Spring MVC side (admin and caller APIs) of the one OpenAI error shape. */
@RestControllerAdvice
public class OpenAiExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(OpenAiExceptionHandler.class);

    @ExceptionHandler(GatewayException.class)
    ResponseEntity<byte[]> gateway(GatewayException e) {
        ResponseEntity.BodyBuilder response = ResponseEntity.status(e.status()).contentType(MediaType.APPLICATION_JSON);
        if (e.retryAfterSeconds() != null) {
            response.header(HttpHeaders.RETRY_AFTER, String.valueOf(e.retryAfterSeconds()));
        }
        return response.body(OpenAiErrors.body(e));
    }

    /** Spring MVC's own refusals (unknown path, wrong method, bad media type...) keep their status. */
    private static ResponseEntity<byte[]> spring(ErrorResponse e, HttpServletRequest request) {
        int status = e.getStatusCode().value();
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON)
                .body(OpenAiErrors.forStatus(status, request.getRequestURI()));
    }

    /** The client went away while its answer was written: nothing to answer, nothing to report. */
    @ExceptionHandler(AsyncRequestNotUsableException.class)
    void clientGone(AsyncRequestNotUsableException e) {
        log.debug("Client disconnected before its response was complete");
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<byte[]> unexpected(Exception e, HttpServletRequest request) {
        if (e instanceof ErrorResponse springRefusal) {
            return spring(springRefusal, request);
        }
        // the type only: exception messages can quote request data. SQL errors are the exception: all
        // statements bind their values, so their text never holds message content (a constraint
        // violation may name a key value such as a request id), and it is needed to fix them.
        log.error("Unexpected failure: {}", e instanceof org.springframework.dao.DataAccessException
                ? e.getClass().getName() + ": " + e.getMessage() : e.getClass().getName());
        return ResponseEntity.status(500).contentType(MediaType.APPLICATION_JSON)
                .body(OpenAiErrors.body("The gateway failed to handle the request.", "server_error", "internal_error", null));
    }

    /** A query parameter or path segment that is not of its type ({@code ?limit=abc}): the client's mistake. */
    @ExceptionHandler(org.springframework.beans.TypeMismatchException.class)
    ResponseEntity<byte[]> typeMismatch(org.springframework.beans.TypeMismatchException e) {
        String param = e.getPropertyName();
        return gateway(GatewayException.invalidRequest(param, (param == null ? "A parameter" : "'" + param + "'") + " is not "
                + (e.getRequiredType() == null ? "of the right type" : "a valid " + e.getRequiredType().getSimpleName()) + "."));
    }

    /** A database that cannot be reached now: 503, as on the routes, never a 500 or a 401. */
    @ExceptionHandler({org.springframework.dao.DataAccessException.class, org.springframework.transaction.TransactionException.class})
    ResponseEntity<byte[]> database(RuntimeException e, HttpServletRequest request) {
        return DatabaseFailures.isUnavailable(e) ? gateway(GatewayException.databaseUnavailable()) : unexpected(e, request);
    }
}
