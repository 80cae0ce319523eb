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
 * both ways: {@link AnthropicRequests}, {@link AnthropicResponses}, {@link AnthropicStreamTranslator}. A
 * client that itself spoke Anthropic's API (POST /v1/messages) has its own body sent instead
 * ({@link AnthropicNativeRequests}). How each field maps is in docs/providers.md.
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
        ClientRequest.NativeBody own = request.nativeBody();
        ObjectNode body = own != null && own.protocol().equals(protocol())
                ? AnthropicNativeRequests.toAnthropicRequest(own.body(), backend.upstreamModel(), maxTokens(request, backend),
                        request.stream())
                : AnthropicRequests.toAnthropicRequest(ChatRequest.of(request), backend.upstreamModel(),
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
        return UpstreamErrors.classify(status, upstreamBody, retryAfter, backend);
    }

    /** The output limit the hold covers; else as for a translated request. */
    private static int maxTokens(ClientRequest request, Backend backend) {
        return request.maxTokens() != null ? request.maxTokens()
                : backend.maxOutputTokens() != null ? backend.maxOutputTokens() : AnthropicRequests.DEFAULT_MAX_TOKENS;
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }
}
