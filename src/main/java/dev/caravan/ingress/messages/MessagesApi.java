package dev.caravan.ingress.messages;

import java.io.InputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.ClientRequest;
import dev.caravan.api.ClientRequestParser;
import dev.caravan.api.FlowVariables;
import dev.caravan.api.GatewayException;
import dev.caravan.catalog.CurrentCatalog;
import dev.caravan.ingress.ChatRequests;
import dev.caravan.ingress.TranslatedStream;
import dev.caravan.metering.TokenCounter;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * The steps of {@code POST /v1/messages} (route {@code handle-message}) and
 * {@code POST /v1/messages/count_tokens} (route {@code count-message-tokens}): Anthropic's Messages API
 * as ingress. The request is read into a chat completion request for the flow every client shares,
 * and the priced chat answer leaves as an Anthropic message or event stream.
 */
@Component("messagesApi")
public class MessagesApi {

    private final ClientRequestParser parser;
    private final ObjectMapper json;
    private final CurrentCatalog catalog;
    private final TokenCounter tokens;

    public MessagesApi(ClientRequestParser parser, ObjectMapper json, CurrentCatalog catalog, TokenCounter tokens) {
        this.parser = parser;
        this.json = json;
        this.catalog = catalog;
        this.tokens = tokens;
    }

    /** A Messages request, checked for what the later steps rely on: {@code max_tokens} is required, as at Anthropic. */
    public ObjectNode read(Exchange exchange) {
        ObjectNode request = readCountTokens(exchange);
        JsonNode maxTokens = request.get("max_tokens");
        if (maxTokens == null || !maxTokens.canConvertToExactIntegral() || maxTokens.asLong() < 1
                || maxTokens.asLong() > Integer.MAX_VALUE) {
            throw GatewayException.invalidRequest("max_tokens", "'max_tokens' is required: a positive integer.");
        }
        JsonNode stream = request.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            throw GatewayException.invalidRequest("stream", "'stream' must be a boolean.");
        }
        return request;
    }

    /** A count_tokens request: a Messages request without {@code max_tokens}. */
    public ObjectNode readCountTokens(Exchange exchange) {
        ObjectNode request = parser.readObject(exchange);
        JsonNode model = request.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            throw GatewayException.invalidRequest("model", "'model' is required: a non-empty string.");
        }
        return request;
    }

    /** The chat completion request the shared flow plans, holds for and sends (a stream always with usage). */
    public ClientRequest toChatCompletion(Exchange exchange) {
        ObjectNode request = messagesRequest(exchange);
        return ChatRequests.clientRequest(MessagesRequests.toChatCompletionRequest(request), request.get("model").asText(),
                request.path("stream").asBoolean(false), request.get("max_tokens").asInt(),
                new ClientRequest.NativeBody("anthropic", MessagesRequests.nativeRequest(request)));
    }

    /** Non-stream: the metered chat completion (bytes) becomes the Anthropic message. */
    public byte[] fromChatCompletion(Exchange exchange) throws Exception {
        ObjectNode chat = (ObjectNode) json.readTree(exchange.getMessage().getMandatoryBody(byte[].class));
        return json.writeValueAsBytes(MessagesAnswers.fromChatCompletion(chat, messagesRequest(exchange),
                MessageObjects.id(FlowVariables.REQUEST_ID.get(exchange))));
    }

    /** Stream: the metering tap, wrapped (never read here) so that its chunks leave as Anthropic events. */
    public InputStream toEventStream(Exchange exchange) {
        InputStream tap = exchange.getMessage().getBody(InputStream.class);
        return new TranslatedStream(tap, new MessagesStreamTranslator(messagesRequest(exchange),
                MessageObjects.id(FlowVariables.REQUEST_ID.get(exchange))), json);
    }

    /**
     * {@code count_tokens}: the prompt as the gateway counts it for holds (its o200k tokenizer, the
     * whole translated request), an estimate of what the backend will count. Nothing is sent upstream.
     */
    public byte[] countTokens(Exchange exchange) throws Exception {
        ObjectNode request = messagesRequest(exchange);
        String model = request.get("model").asText();
        if (catalog.get().find(model).isEmpty()) {
            throw GatewayException.modelNotFound(model);
        }
        ObjectNode chat = MessagesRequests.toChatCompletionRequest(request);
        return json.writeValueAsBytes(json.createObjectNode().put("input_tokens", tokens.countPrompt(chat)));
    }

    private static ObjectNode messagesRequest(Exchange exchange) {
        return FlowVariables.MESSAGES_REQUEST.require(exchange, "messagesApi.toChatCompletion / fromChatCompletion / toEventStream");
    }
}
