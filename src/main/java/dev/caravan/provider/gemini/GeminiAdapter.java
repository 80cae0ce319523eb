package dev.caravan.provider.gemini;

import java.util.UUID;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.ClientRequest;
import dev.caravan.api.GatewayException;
import dev.caravan.catalog.Backend;
import dev.caravan.provider.ChatRequest;
import dev.caravan.provider.ProviderAdapter;
import dev.caravan.provider.ProviderJson;
import dev.caravan.provider.StreamTranslator;
import dev.caravan.provider.UpstreamRequest;
import org.springframework.stereotype.Component;

/**
 * Google's Gemini API ({@code {base-url}/models/{model}:generateContent}, or
 * {@code :streamGenerateContent?alt=sse}; key in {@code x-goog-api-key}), translated both ways:
 * {@link GeminiRequests}, {@link GeminiResponses}, {@link GeminiStreamTranslator}. How each field
 * maps is in docs/providers.md.
 */
@Component
public class GeminiAdapter implements ProviderAdapter {

    @Override
    public String protocol() {
        return "gemini";
    }

    @Override
    public UpstreamRequest toUpstreamRequest(ClientRequest request, Backend backend, String baseUrl) {
        ObjectNode body = GeminiRequests.toGeminiRequest(ChatRequest.of(request));
        String model = backend.upstreamModel().contains("/") ? backend.upstreamModel() : "models/" + backend.upstreamModel();
        String operation = request.stream() ? ":streamGenerateContent?alt=sse" : ":generateContent";
        return UpstreamRequest.json(baseUrl + "/" + model + operation, backend, request.stream(), "x-goog-api-key", "",
                ProviderJson.bytes(body));
    }

    @Override
    public ObjectNode toOpenAiResponse(ClientRequest request, byte[] upstreamBody) {
        return GeminiResponses.fromGeminiResponse(ProviderJson.readAnswer(upstreamBody), newId(), now(), request.model());
    }

    @Override
    public StreamTranslator newStreamTranslator(ClientRequest request) {
        return new GeminiStreamTranslator(newId(), now(), request.model());
    }

    @Override
    public GatewayException toClientError(int status, byte[] upstreamBody, String retryAfter, Backend backend) {
        return GeminiErrors.toClientError(status, upstreamBody, retryAfter, backend);
    }

    private static String newId() {
        return "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }
}
