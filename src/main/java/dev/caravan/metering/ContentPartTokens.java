package dev.caravan.metering;

import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The conservative rule for the prompt tokens of content parts that are not text (docs/billing.md,
 * "How a prompt is bounded"). It is the same for the hold's bound and for the gateway's own count, and
 * costs no more than reading a few header bytes:
 * <ul>
 *   <li>an image in a base64 data URL whose header gives its size: {@link ImageTokens}; any other
 *       image (a remote URL, an unreadable header): {@code caravan.billing.image-tokens-max};</li>
 *   <li>{@code input_audio}: its duration times {@code caravan.billing.audio-tokens-per-second}, the
 *       duration read from a WAV header, or else bounded by the clip's size at
 *       {@value #LOWEST_AUDIO_BYTES_PER_SECOND} bytes a second (6 kbit/s, Opus's lowest bitrate, below
 *       MP3's 8): no audio the providers take lasts longer;</li>
 *   <li>{@code file}: {@code caravan.billing.file-tokens-max} per file (the planner accepts files only
 *       for models with the {@code files} capability).</li>
 * </ul>
 */
@Component
public class ContentPartTokens {

    static final long LOWEST_AUDIO_BYTES_PER_SECOND = 750;

    private static final String BASE64 = ";base64,";

    private final long imageTokensMax;
    private final long audioTokensPerSecond;
    private final long fileTokensMax;

    public ContentPartTokens(@Value("${caravan.billing.image-tokens-max:4128}") long imageTokensMax,
                             @Value("${caravan.billing.audio-tokens-per-second:32}") long audioTokensPerSecond,
                             @Value("${caravan.billing.file-tokens-max:25000}") long fileTokensMax) {
        if (imageTokensMax < 1 || audioTokensPerSecond < 1 || fileTokensMax < 1) {
            throw new IllegalStateException("caravan.billing.image-tokens-max, audio-tokens-per-second and "
                    + "file-tokens-max must be positive");
        }
        this.imageTokensMax = imageTokensMax;
        this.audioTokensPerSecond = audioTokensPerSecond;
        this.fileTokensMax = fileTokensMax;
    }

    /** The rule with the shipped settings. */
    public static ContentPartTokens defaults() {
        return new ContentPartTokens(ImageTokens.LARGEST, 32, 25_000);
    }

    /** An {@code image_url} part: {@code {"url": ..., "detail": ...}}, or the older plain string. */
    public long image(JsonNode imageUrl) {
        String url = imageUrl == null ? "" : imageUrl.isTextual() ? imageUrl.asText() : imageUrl.path("url").asText("");
        int base64 = url.startsWith("data:") ? url.indexOf(BASE64) : -1;
        if (base64 < 0) {
            return imageTokensMax;
        }
        String detail = imageUrl.path("detail").asText("auto").toLowerCase(Locale.ROOT);
        return MediaHeaders.imageSize(new Base64Bytes(url, base64 + BASE64.length()))
                .map(size -> ImageTokens.of(size.width(), size.height(), detail))
                .orElse(imageTokensMax);
    }

    /** An {@code input_audio} part: {@code {"data": base64, "format": "wav" | "mp3" | ...}}. */
    public long audio(JsonNode inputAudio) {
        Base64Bytes clip = new Base64Bytes(inputAudio.path("data").asText(""), 0);
        double seconds = MediaHeaders.wavSeconds(clip)
                .orElse((double) clip.length() / LOWEST_AUDIO_BYTES_PER_SECOND);
        return (long) Math.ceil(seconds * audioTokensPerSecond);
    }

    /** A {@code file} part: the configured ceiling, whatever the file. */
    public long file() {
        return fileTokensMax;
    }
}
