package dev.caravan.metering;

import java.util.function.ToLongFunction;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Token estimates with the o200k encoding, for upstreams that report no usage and for the planner's
 * prompt-size checks, and the prompt's bound for the credit hold. Upstream-reported usage always wins
 * over these counts. Everything that becomes prompt tokens is counted: message roles, names, text,
 * tool call ids, names and arguments, tool definitions, a {@code json_schema} answer format, content
 * parts that are not text by {@link ContentPartTokens}, and part types the gateway does not know by
 * the length of their JSON.
 */
@Component
public class TokenCounter {

    /** OpenAI's accounting: each message costs a few tokens of framing, each reply is primed with 3. */
    private static final int TOKENS_PER_MESSAGE = 3;
    private static final int REPLY_PRIMING = 3;

    private final Encoding encoding = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
    private final ContentPartTokens parts;

    /** With the shipped content-part settings (tests, tools). */
    public TokenCounter() {
        this(ContentPartTokens.defaults());
    }

    @Autowired
    public TokenCounter(ContentPartTokens parts) {
        this.parts = parts;
    }

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
    private long promptSize(JsonNode request, ToLongFunction<String> measure) {
        long tokens = REPLY_PRIMING;
        for (JsonNode message : request.path("messages")) {
            tokens += TOKENS_PER_MESSAGE + message(message, measure);
        }
        tokens += json(request.get("tools"), measure) + json(request.get("functions"), measure);
        return tokens + json(request.path("response_format").get("json_schema"), measure);
    }

    private long message(JsonNode message, ToLongFunction<String> measure) {
        long tokens = text(message.get("role"), measure) + text(message.get("name"), measure)
                + text(message.get("tool_call_id"), measure);
        JsonNode content = message.path("content");
        if (content.isTextual()) {
            tokens += measure.applyAsLong(content.asText());
        } else {
            for (JsonNode part : content) {
                tokens += part(part, measure);
            }
        }
        for (JsonNode call : message.path("tool_calls")) {
            tokens += text(call.get("id"), measure) + function(call.path("function"), measure);
        }
        return tokens + function(message.path("function_call"), measure);
    }

    private long part(JsonNode part, ToLongFunction<String> measure) {
        return switch (part.path("type").asText("")) {
            case "text" -> text(part.get("text"), measure);
            case "refusal" -> text(part.get("refusal"), measure);
            case "image_url" -> parts.image(part.get("image_url"));
            case "input_audio" -> parts.audio(part.path("input_audio"));
            case "file" -> parts.file();
            default -> measure.applyAsLong(part.toString());
        };
    }

    private static long function(JsonNode function, ToLongFunction<String> measure) {
        return text(function.get("name"), measure) + text(function.get("arguments"), measure);
    }

    private static long text(JsonNode text, ToLongFunction<String> measure) {
        return text != null && text.isTextual() ? measure.applyAsLong(text.asText()) : 0;
    }

    private static long json(JsonNode node, ToLongFunction<String> measure) {
        return node == null || node.isNull() || node.isMissingNode() ? 0 : measure.applyAsLong(node.toString());
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
