package dev.caravan.metering;

import java.util.function.ToLongFunction;

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

    /** A chat request's prompt: its bound at once, its count when asked for. */
    public PromptTokens prompt(JsonNode request) {
        return new PromptTokens(promptSize(request, TokenCounter::utf8Length), () -> countPrompt(request));
    }

    /** An embeddings input: its bound at once, its count when asked for. */
    public PromptTokens embeddingInput(JsonNode input) {
        return new PromptTokens(inputSize(input, TokenCounter::utf8Length), () -> countEmbeddingInput(input));
    }

    /** Estimated prompt tokens of a chat request: messages, content parts and tool definitions. */
    public int countPrompt(JsonNode request) {
        return (int) promptSize(request, this::count);
    }

    /** Estimated tokens of an embeddings input: a string or an array of strings or token arrays. */
    public int countEmbeddingInput(JsonNode input) {
        return (int) inputSize(input, this::count);
    }

    /** A chat prompt's size, each text measured by {@code measure}: the count, or a bound on it. */
    private static long promptSize(JsonNode request, ToLongFunction<String> measure) {
        long tokens = REPLY_PRIMING;
        for (JsonNode message : request.path("messages")) {
            tokens += TOKENS_PER_MESSAGE + measure.applyAsLong(message.path("role").asText(""));
            JsonNode content = message.path("content");
            if (content.isTextual()) {
                tokens += measure.applyAsLong(content.asText());
            } else {
                for (JsonNode part : content) {
                    tokens += part.has("image_url") ? TOKENS_PER_IMAGE : measure.applyAsLong(part.path("text").asText(""));
                }
            }
            for (JsonNode call : message.path("tool_calls")) {
                tokens += measure.applyAsLong(call.path("function").path("name").asText(""))
                        + measure.applyAsLong(call.path("function").path("arguments").asText(""));
            }
        }
        JsonNode tools = request.path("tools");
        if (!tools.isMissingNode() && !tools.isNull()) {
            tokens += measure.applyAsLong(tools.toString());
        }
        return tokens;
    }

    private static long inputSize(JsonNode input, ToLongFunction<String> measure) {
        if (input == null || input.isNull() || input.isMissingNode()) {
            return 0;
        }
        if (input.isTextual()) {
            return measure.applyAsLong(input.asText());
        }
        long tokens = 0;
        for (JsonNode item : input) {
            tokens += item.isTextual() ? measure.applyAsLong(item.asText()) : item.isArray() ? item.size() : 1;
        }
        return tokens;
    }

    /** The text's length in UTF-8 bytes: no tokenizer makes more tokens of a text than that. */
    static long utf8Length(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
