package dev.caravan.api;

/**
 * A request refused by a rule of the integrator's, thrown from a route step (routes/extensions.camel.yaml,
 * docs/routes.md): {@code throwException} with this type and a message gives the client a 403
 * {@code request_refused} in the OpenAI error shape (Anthropic's on {@code /v1/messages}), and the
 * request's credit hold back. The message is shown to the client as it is written.
 */
public class RequestRefused extends GatewayException {

    public RequestRefused(String message) {
        super(403, "permission_error", "request_refused", null, message, null);
    }
}
