package dev.caravan.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A parsed and validated client request. {@code body} is the client's JSON, kept whole so that
 * fields the gateway does not know pass through to OpenAI-compatible upstreams untouched.
 *
 * @param includeUsage the client asked for the usage chunk of a stream ({@code stream_options.include_usage})
 * @param maxTokens    {@code max_completion_tokens} or {@code max_tokens}, null when the client set neither
 */
public record ClientRequest(Operation operation, ObjectNode body, String model, boolean stream, boolean includeUsage,
                            Integer maxTokens) {
}
