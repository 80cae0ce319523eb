package dev.caravan.ingress.responses;

import java.io.InputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.ClientRequest;
import dev.caravan.api.ClientRequestParser;
import dev.caravan.api.FlowVariables;
import dev.caravan.api.GatewayException;
import dev.caravan.ingress.ChatRequests;
import dev.caravan.ingress.TranslatedStream;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * The steps of {@code POST /v1/responses} (route {@code handle-response}) around the chat flow it
 * shares with {@code /v1/chat/completions}: the request in, as a chat completion request, and the
 * priced chat answer out, as a Responses API response or event stream. Stateless: {@code store} is
 * always false, and what would need a stored response is refused with a 400 that says what to send.
 */
@Component("responsesApi")
public class ResponsesApi {

    private final ClientRequestParser parser;
    private final ObjectMapper json;

    public ResponsesApi(ClientRequestParser parser, ObjectMapper json) {
        this.parser = parser;
        this.json = json;
    }

    /** The client's Responses API request, checked for what every later step relies on. */
    public ObjectNode read(Exchange exchange) {
        ObjectNode request = parser.readObject(exchange);
        JsonNode model = request.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            throw GatewayException.invalidRequest("model", "'model' is required: a non-empty string.");
        }
        JsonNode stream = request.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            throw GatewayException.invalidRequest("stream", "'stream' must be a boolean.");
        }
        JsonNode maxOutput = request.get("max_output_tokens");
        if (maxOutput != null && !maxOutput.isNull()
                && (!maxOutput.canConvertToExactIntegral() || maxOutput.asLong() < 1 || maxOutput.asLong() > Integer.MAX_VALUE)) {
            throw GatewayException.invalidRequest("max_output_tokens", "'max_output_tokens' must be a positive integer.");
        }
        return request;
    }

    /** The chat completion request the shared flow plans, holds for and sends (the stream always with usage). */
    public ClientRequest toChatCompletion(Exchange exchange) {
        ObjectNode request = responsesRequest(exchange);
        ObjectNode chat = ResponsesRequests.toChatCompletionRequest(request);
        JsonNode maxOutput = chat.get("max_completion_tokens");
        return ChatRequests.clientRequest(chat, request.get("model").asText(), request.path("stream").asBoolean(false),
                maxOutput == null ? null : maxOutput.asInt(), null);
    }

    /** Non-stream: the metered chat completion (bytes) becomes the Responses API response. */
    public byte[] fromChatCompletion(Exchange exchange) throws Exception {
        ObjectNode chat = (ObjectNode) json.readTree(exchange.getMessage().getMandatoryBody(byte[].class));
        return json.writeValueAsBytes(ResponsesAnswers.fromChatCompletion(chat, responsesRequest(exchange),
                ResponseIds.response(FlowVariables.REQUEST_ID.get(exchange))));
    }

    /** Stream: the metering tap, wrapped (never read here) so that its chunks leave as Responses events. */
    public InputStream toEventStream(Exchange exchange) {
        InputStream tap = exchange.getMessage().getBody(InputStream.class);
        return new TranslatedStream(tap, new ResponsesStreamTranslator(responsesRequest(exchange),
                ResponseIds.response(FlowVariables.REQUEST_ID.get(exchange)), System.currentTimeMillis() / 1000), json);
    }

    private static ObjectNode responsesRequest(Exchange exchange) {
        return FlowVariables.RESPONSES_REQUEST.require(exchange, "responsesApi.toChatCompletion / fromChatCompletion / toEventStream");
    }
}
