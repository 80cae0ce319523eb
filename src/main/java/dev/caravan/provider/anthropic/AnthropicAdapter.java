package dev.caravan.provider.anthropic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.ClientRequest;
import dev.caravan.api.GatewayException;
import dev.caravan.catalog.Backend;
import dev.caravan.provider.ChatRequest;
import dev.caravan.provider.ProviderAdapter;
import dev.caravan.provider.ProviderJson;
import dev.caravan.provider.StreamTranslator;
import dev.caravan.provider.UpstreamErrors;
import dev.caravan.provider.UpstreamRequest;
import org.springframework.stereotype.Component;

/**
 * Anthropic's Messages API ({@code POST {base-url}/messages}, key in {@code x-api-key}), translated
 * both ways: {@link AnthropicRequests}, {@link AnthropicResponses}, {@link AnthropicStreamTranslator}.
 * How each field maps is in docs/providers.md.
 */
@Component
public class AnthropicAdapter implements ProviderAdapter {

    /** The API version this translation is written against; a provider's headers may set another. */
    static final String API_VERSION = "2023-06-01";

    @Override
    public String protocol() {
        return "anthropic";
    }

    @Override
    public UpstreamRequest toUpstreamRequest(ClientRequest request, Backend backend, String baseUrl) {
        ObjectNode body = AnthropicRequests.toAnthropicRequest(ChatRequest.of(request), backend.upstreamModel(),
                backend.maxOutputTokens(), request.stream());
        return UpstreamRequest.json(baseUrl + "/messages", backend, request.stream(), "x-api-key", "",
                ProviderJson.bytes(body)).withDefaultHeader("anthropic-version", API_VERSION);
    }

    @Override
    public ObjectNode toOpenAiResponse(ClientRequest request, byte[] upstreamBody) {
        return AnthropicResponses.fromAnthropicResponse(ProviderJson.readAnswer(upstreamBody), now(),
                AnthropicRequests.answerToolName(ChatRequest.of(request)));
    }

    @Override
    public StreamTranslator newStreamTranslator(ClientRequest request) {
        return new AnthropicStreamTranslator(now(), AnthropicRequests.answerToolName(ChatRequest.of(request)));
    }

    @Override
    public GatewayException toClientError(int status, byte[] upstreamBody, String retryAfter, Backend backend) {
        return UpstreamErrors.classify(status, UpstreamErrors.message(upstreamBody), retryAfter, backend);
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }
}
