package dev.caravan.web;

import dev.caravan.api.GatewayException;
import dev.caravan.api.OpenAiErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
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

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<byte[]> method(HttpRequestMethodNotSupportedException e) {
        return ResponseEntity.status(405).contentType(MediaType.APPLICATION_JSON)
                .body(OpenAiErrors.body("Method " + e.getMethod() + " is not allowed here.", "invalid_request_error",
                        "method_not_allowed", null));
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<byte[]> mediaType(HttpMediaTypeNotSupportedException e) {
        return ResponseEntity.status(415).contentType(MediaType.APPLICATION_JSON)
                .body(OpenAiErrors.body("Send the body as application/json.", "invalid_request_error",
                        "unsupported_media_type", null));
    }

    /** The client went away while its answer was written: nothing to answer, nothing to report. */
    @ExceptionHandler(AsyncRequestNotUsableException.class)
    void clientGone(AsyncRequestNotUsableException e) {
        log.debug("Client disconnected before its response was complete");
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<byte[]> unexpected(Exception e) {
        // the type only: exception messages can quote request data
        log.error("Unexpected failure: {}", e.getClass().getName());
        return ResponseEntity.status(500).contentType(MediaType.APPLICATION_JSON)
                .body(OpenAiErrors.body("The gateway failed to handle the request.", "server_error", "internal_error", null));
    }
}
