package dev.caravan.metering;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import org.springframework.stereotype.Component;

/**
 * Token estimates with the o200k encoding, for upstreams that report no usage and for the planner's
 * prompt-size checks. Upstream-reported usage always wins over these counts.
 */
@Component
public class TokenCounter {

    /** OpenAI's accounting: each message costs a few tokens of framing, each reply is primed with 3. */
    private static final int TOKENS_PER_MESSAGE = 3;
    private static final int REPLY_PRIMING = 3;
    /** A high-detail 1024x1024 image under OpenAI's tile formula; a fair middle for an unknown image. */
    private static final int TOKENS_PER_IMAGE = 765;

    private final Encoding encoding = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

    public int count(CharSequence text) {
        return text == null || text.isEmpty() ? 0 : encoding.countTokensOrdinary(text.toString());
    }

    /** Estimated prompt tokens of a chat request: messages, content parts and tool definitions. */
    public int countPrompt(JsonNode request) {
        int tokens = REPLY_PRIMING;
        for (JsonNode message : request.path("messages")) {
            tokens += TOKENS_PER_MESSAGE + count(message.path("role").asText(""));
            JsonNode content = message.path("content");
            if (content.isTextual()) {
                tokens += count(content.asText());
            } else {
                for (JsonNode part : content) {
                    tokens += part.has("image_url") ? TOKENS_PER_IMAGE : count(part.path("text").asText(""));
                }
            }
            for (JsonNode call : message.path("tool_calls")) {
                tokens += count(call.path("function").path("name").asText(""))
                        + count(call.path("function").path("arguments").asText(""));
            }
        }
        JsonNode tools = request.path("tools");
        if (!tools.isMissingNode() && !tools.isNull()) {
            tokens += count(tools.toString());
        }
        return tokens;
    }

    /** Estimated tokens of an embeddings input: a string or an array of strings or token arrays. */
    public int countEmbeddingInput(JsonNode input) {
        if (input.isTextual()) {
            return count(input.asText());
        }
        int tokens = 0;
        for (JsonNode item : input) {
            tokens += item.isTextual() ? count(item.asText()) : item.isArray() ? item.size() : 1;
        }
        return tokens;
    }
}
