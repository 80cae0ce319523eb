package dev.caravan.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import dev.caravan.api.GatewayException;
import dev.caravan.api.RequestContext;
import jakarta.servlet.http.HttpServletRequest;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * A secret only this gateway instance holds, made at start and never written anywhere: the
 * credential of the gateway's calls to itself (a provider whose base-url is a path, the demo
 * provider). A loopback address proves nothing, since a client may run on the gateway's host.
 */
@Component("internalCallToken")
public class InternalCallToken {

    public static final String HEADER = "X-Caravan-Internal-Token";

    private final String value;

    public InternalCallToken() {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        this.value = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /** The token, for the gateway's own upstream calls. Never log it. */
    public String value() {
        return value;
    }

    /** Whether a request carries the token in {@value #HEADER}; compared in constant time. */
    public boolean presentIn(HttpServletRequest request) {
        String presented = request.getHeader(HEADER);
        return presented != null && MessageDigest.isEqual(value.getBytes(StandardCharsets.US_ASCII),
                presented.getBytes(StandardCharsets.UTF_8));
    }

    /** Route step of the routes only the gateway may call: 401 unless the request is the gateway's own. */
    public void verify(Exchange exchange) {
        if (!presentIn(RequestContext.httpRequest(exchange, "internalCallToken.verify"))) {
            throw new GatewayException(401, "invalid_request_error", "internal_token_required", null,
                    "This endpoint answers only the gateway's own calls.", null);
        }
    }
}
