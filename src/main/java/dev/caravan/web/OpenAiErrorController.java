package dev.caravan.web;

import dev.caravan.api.OpenAiErrors;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Errors raised outside the Camel routes (an unknown path, a wrong method, a failure in the servlet
 * container) in the OpenAI shape too: never an HTML page or a stack trace.
 */
@RestController
public class OpenAiErrorController implements ErrorController {

    @RequestMapping("/error")
    public ResponseEntity<byte[]> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer value ? value : 500;
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(OpenAiErrors.forStatus(status, request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI) instanceof String path ? path : null));
    }
}
