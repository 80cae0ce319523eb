package dev.caravan.metering;

/**
 * Tokens of one answer. {@code cachedTokens} is the part of {@code promptTokens} served from the
 * provider's prompt cache (priced at {@code cached-input}); {@code cacheWriteTokens} the part written
 * to it (priced at {@code cache-write}); {@code audioPromptTokens} and {@code audioCompletionTokens}
 * the audio parts of the prompt and the completion (priced at {@code audio-input} and
 * {@code audio-output}); {@code estimated} marks counts the gateway made itself because the upstream
 * reported none.
 */
public record TokenUsage(long promptTokens, long completionTokens, long cachedTokens, long cacheWriteTokens,
                         boolean estimated, long audioPromptTokens, long audioCompletionTokens) {

    public TokenUsage(long promptTokens, long completionTokens, long cachedTokens, long cacheWriteTokens,
                      boolean estimated) {
        this(promptTokens, completionTokens, cachedTokens, cacheWriteTokens, estimated, 0, 0);
    }

    public TokenUsage(long promptTokens, long completionTokens, long cachedTokens, boolean estimated) {
        this(promptTokens, completionTokens, cachedTokens, 0, estimated);
    }

    public long totalTokens() {
        return promptTokens + completionTokens;
    }
}
