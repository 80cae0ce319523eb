package dev.caravan.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.ClientJson;
import dev.caravan.api.EmbeddingVectors;
import dev.caravan.api.GatewayException;
import dev.caravan.api.OpenAiErrors;
import dev.caravan.metering.TokenCounter;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The offline demo provider behind {@code routes/demo-provider.camel.yaml}: a tiny upstream that
 * speaks the OpenAI wire format, so the quick start answers without internet through the same
 * HTTP path as a real provider. It answers with a fixed text that says how many words it was sent
 * (it never repeats the prompt) and counts tokens like a real provider does. It reads its requests
 * with the limits of every client body ({@link ClientJson}).
 */
@Component("demoProvider")
public class DemoProvider {

    private static final Logger log = LoggerFactory.getLogger(DemoProvider.class);

    private final ObjectMapper json;
    private final ClientJson clientJson;
    private final TokenCounter tokens;

    public DemoProvider(ObjectMapper json, ClientJson clientJson, TokenCounter tokens) {
        this.json = json;
        this.clientJson = clientJson;
        this.tokens = tokens;
    }

    public void chatCompletion(Exchange exchange) throws IOException {
        JsonNode request = clientJson.read(exchange.getMessage().getBody(byte[].class));
        String model = request.path("model").asText("demo");
        String text = answer(request);
        int promptTokens = tokens.countPrompt(request);
        int completionTokens = tokens.count(text);
        String id = "chatcmpl-demo" + Long.toHexString(System.nanoTime());
        long created = System.currentTimeMillis() / 1000;
        boolean stream = request.path("stream").asBoolean(false);
        exchange.getMessage().removeHeaders("*");
        if (stream) {
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/event-stream");
            boolean includeUsage = request.path("stream_options").path("include_usage").asBoolean(false);
            exchange.getMessage().setBody(streamBody(id, created, model, text, includeUsage, promptTokens,
                    completionTokens));
            return;
        }
        ObjectNode response = json.createObjectNode();
        response.put("id", id).put("object", "chat.completion").put("created", created).put("model", model);
        ObjectNode choice = response.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", text);
        choice.put("finish_reason", "stop");
        response.set("usage", usage(promptTokens, completionTokens));
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(json.writeValueAsBytes(response));
    }

    public void embeddings(Exchange exchange) throws IOException {
        JsonNode request = clientJson.read(exchange.getMessage().getBody(byte[].class));
        JsonNode input = request.path("input");
        List<String> inputs = new ArrayList<>();
        if (input.isTextual()) {
            inputs.add(input.asText());
        } else {
            input.forEach(item -> inputs.add(item.toString()));
        }
        ObjectNode response = json.createObjectNode();
        response.put("object", "list");
        ArrayNode data = response.putArray("data");
        for (int i = 0; i < inputs.size(); i++) {
            ObjectNode item = data.addObject();
            item.put("object", "embedding").put("index", i);
            ArrayNode vector = item.putArray("embedding");
            int hash = inputs.get(i).hashCode();
            for (int d = 0; d < 8; d++) {
                vector.add(((hash >>> (d * 4)) & 0xf) / 15.0);
            }
            // as OpenAI does; an upstream that ignores the field is put right by the gateway's own step
            if (EmbeddingVectors.BASE64.equals(request.path("encoding_format").asText())) {
                item.put("embedding", EmbeddingVectors.toBase64(vector));
            }
        }
        response.put("model", request.path("model").asText("demo-embedding"));
        int promptTokens = tokens.countEmbeddingInput(input);
        response.putObject("usage").put("prompt_tokens", promptTokens).put("total_tokens", promptTokens);
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(json.writeValueAsBytes(response));
    }

    /**
     * The demo routes' error handler: the failure in the OpenAI error shape, as a provider answers it.
     * The log gets the exception's class only: a message can quote the request.
     */
    public void answerFailure(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        GatewayException error;
        if (failure instanceof GatewayException known) {
            error = known;
        } else {
            log.warn("The demo provider failed: {}", failure == null ? "unknown" : failure.getClass().getName());
            error = new GatewayException(500, "server_error", "internal_error", null, "The demo provider failed.", null);
        }
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, error.status());
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(OpenAiErrors.body(error));
    }

    private static String answer(JsonNode request) {
        JsonNode messages = request.path("messages");
        JsonNode last = messages.get(messages.size() - 1);
        String content = last == null ? "" : last.path("content").isTextual() ? last.path("content").asText() : "";
        int words = content.isBlank() ? 0 : content.trim().split("\\s+").length;
        return "Hello from Caravan's offline demo provider. Your message had " + words
                + " words. Configure a real provider in config/models.yaml to get real answers.";
    }

    private byte[] streamBody(String id, long created, String model, String text, boolean includeUsage,
                              int promptTokens, int completionTokens) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] words = text.split("(?<= )");
        for (int i = 0; i < words.length; i++) {
            ObjectNode delta = json.createObjectNode();
            if (i == 0) {
                delta.put("role", "assistant");
            }
            delta.put("content", words[i]);
            writeEvent(out, chunk(id, created, model, delta, null));
        }
        writeEvent(out, chunk(id, created, model, json.createObjectNode(), "stop"));
        if (includeUsage) {
            ObjectNode usageChunk = json.createObjectNode();
            usageChunk.put("id", id).put("object", "chat.completion.chunk").put("created", created).put("model", model);
            usageChunk.putArray("choices");
            usageChunk.set("usage", usage(promptTokens, completionTokens));
            writeEvent(out, usageChunk);
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private ObjectNode chunk(String id, long created, String model, ObjectNode delta, String finishReason) {
        ObjectNode chunk = json.createObjectNode();
        chunk.put("id", id).put("object", "chat.completion.chunk").put("created", created).put("model", model);
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        choice.put("finish_reason", finishReason);
        return chunk;
    }

    private ObjectNode usage(int promptTokens, int completionTokens) {
        ObjectNode usage = json.createObjectNode();
        usage.put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
                .put("total_tokens", promptTokens + completionTokens);
        return usage;
    }

    private void writeEvent(ByteArrayOutputStream out, ObjectNode chunk) throws IOException {
        out.write("data: ".getBytes(StandardCharsets.US_ASCII));
        out.write(json.writeValueAsBytes(chunk));
        out.write("\n\n".getBytes(StandardCharsets.US_ASCII));
    }
}
