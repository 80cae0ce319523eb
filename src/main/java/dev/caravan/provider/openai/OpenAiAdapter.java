package dev.caravan.provider.openai;

import java.io.IOException;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.ClientRequest;
import dev.caravan.api.GatewayException;
import dev.caravan.api.Operation;
import dev.caravan.api.PricedOptions;
import dev.caravan.catalog.Backend;
import dev.caravan.catalog.CatalogProperties;
import dev.caravan.provider.ProtocolFeatures;
import dev.caravan.provider.ProviderAdapter;
import dev.caravan.provider.StreamTranslator;
import dev.caravan.provider.UpstreamErrors;
import dev.caravan.provider.UpstreamRequest;
import org.springframework.stereotype.Component;

/**
 * The OpenAI wire format, spoken by OpenAI, DeepSeek, Qwen (compatible mode), Mistral, Groq, Gemini's
 * OpenAI endpoint, Ollama, vLLM and the demo provider. The client's request passes through with only
 * the model name replaced, usage requested for streams, and the gateway's own fields removed.
 */
@Component
public class OpenAiAdapter implements ProviderAdapter {

    /** OpenRouter-style routing controls the gateway consumes; OpenAI itself rejects unknown fields. */
    private static final List<String> GATEWAY_FIELDS = List.of("models", "route", "provider", "transforms");

    /** {@code metadata} is only kept with stored completions. */
    private static final List<String> RETENTION_FIELDS = List.of("store", "metadata");

    private static final StreamTranslator PASS_THROUGH = (event, data, emit) -> emit.accept(data);

    private final ObjectMapper json;

    public OpenAiAdapter(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public String protocol() {
        return "openai";
    }

    /** n up to OpenAI's own bound, the choices in one answer; service_tier and audio passed on. */
    private static final ProtocolFeatures FEATURES = new ProtocolFeatures(PricedOptions.MAX_CHOICES, true);

    @Override
    public ProtocolFeatures features() {
        return FEATURES;
    }

    @Override
    public UpstreamRequest toUpstreamRequest(ClientRequest request, Backend backend, String baseUrl) {
        ObjectNode body = request.body().deepCopy();
        body.put("model", backend.upstreamModel());
        body.remove(GATEWAY_FIELDS);
        // the privacy promise: nothing is stored at the provider (store:true was refused; false is
        // OpenAI's default, and not every OpenAI-compatible provider accepts the field)
        body.remove(RETENTION_FIELDS);
        if (request.priced().serviceTier() == null) {
            body.remove("service_tier"); // "auto": what the provider does without one, at the backend's own prices
        }
        if (request.maxTokens() != null) {
            // the limit the credit hold covers, in the one field this provider reads: both fields at
            // once are refused by OpenAI, and its reasoning models refuse max_tokens
            body.remove(CatalogProperties.Provider.MAX_TOKENS_FIELDS);
            body.put(backend.provider().maxTokensField(), request.maxTokens());
        }
        if (request.stream()) {
            // Always ask for usage so the stream can be billed; the metering tap hides the usage
            // chunk from clients that did not ask for it.
            body.withObject("stream_options").put("include_usage", true);
        }
        String operation = request.operation() == Operation.EMBEDDINGS ? "/embeddings" : "/chat/completions";
        try {
            return UpstreamRequest.json(baseUrl + operation, backend, request.stream(), "Authorization", "Bearer ",
                    json.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public ObjectNode toOpenAiResponse(ClientRequest request, byte[] upstreamBody) {
        JsonNode node;
        try {
            node = json.readTree(upstreamBody);
        } catch (IOException e) {
            throw GatewayException.badUpstream("The upstream answer is not valid JSON.");
        }
        String expected = request.operation() == Operation.EMBEDDINGS ? "data" : "choices";
        if (node == null || !node.isObject() || !node.path(expected).isArray()) {
            throw GatewayException.badUpstream("The upstream answer has no '" + expected + "' array.");
        }
        return (ObjectNode) node;
    }

    @Override
    public StreamTranslator newStreamTranslator(ClientRequest request) {
        return PASS_THROUGH;
    }

    @Override
    public GatewayException toClientError(int status, byte[] upstreamBody, String retryAfter, Backend backend) {
        return UpstreamErrors.classify(status, upstreamBody, retryAfter, backend);
    }
}
