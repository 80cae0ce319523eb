package dev.caravan.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A parsed and validated client request. {@code body} is the client's JSON, kept whole so that
 * fields the gateway does not know pass through to OpenAI-compatible upstreams untouched.
 *
 * @param includeUsage the client asked for the usage chunk of a stream ({@code stream_options.include_usage})
 * @param maxTokens    {@code max_completion_tokens} or {@code max_tokens}, null when the client set neither;
 *                     for one upstream call, the output limit that backend is sent ({@link #withMaxTokens})
 * @param priced       the fields that change what the answer costs
 * @param nativeBody   the client's own request when it spoke a provider's protocol (Anthropic's Messages
 *                     API), for a backend of that protocol to get as sent; null otherwise. {@code body} is
 *                     always the chat request every other step reads
 */
public record ClientRequest(Operation operation, ObjectNode body, String model, boolean stream, boolean includeUsage,
                            Integer maxTokens, PricedOptions priced, NativeBody nativeBody) {

    /** A client request in a provider's own protocol ({@code protocol} as in config/models.yaml). */
    public record NativeBody(String protocol, ObjectNode body) {
    }

    public ClientRequest(Operation operation, ObjectNode body, String model, boolean stream, boolean includeUsage,
                         Integer maxTokens, PricedOptions priced) {
        this(operation, body, model, stream, includeUsage, maxTokens, priced, null);
    }

    public ClientRequest(Operation operation, ObjectNode body, String model, boolean stream, boolean includeUsage,
                         Integer maxTokens) {
        this(operation, body, model, stream, includeUsage, maxTokens, PricedOptions.PLAIN, null);
    }

    /** How many answers ({@code n}) the request asks for. */
    public int choices() {
        return priced.choices();
    }

    /** The same request with another output limit: what one backend is sent. */
    public ClientRequest withMaxTokens(int limit) {
        return new ClientRequest(operation, body, model, stream, includeUsage, limit, priced, nativeBody);
    }
}
