package dev.caravan.metering;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.support.TestMedia;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The content-part rule against numbers worked out by hand from the providers' documented examples
 * (OpenAI's vision guide, Anthropic's "Evaluate image size", Google's token guide).
 */
class ContentPartTokensTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ContentPartTokens parts = ContentPartTokens.defaults();

    @ParameterizedTest(name = "OpenAI tiles {0}x{1} {2}: {3}")
    @CsvSource({
            // 1024 fits; shortest side to 768: 768x768, 4 tiles: 170 x 4 + 85
            "1024, 1024, high, 765",
            // fit 2048: 1024x2048; shortest to 768: 768x1536, 6 tiles: 170 x 6 + 85
            "2048, 4096, high, 1105",
            "4096, 8192, low, 85",
            // auto is high; 512x512 is one tile
            "512, 512, auto, 255"})
    void openAiTilesAsTheVisionGuideCountsThem(long width, long height, String detail, long tokens) {
        assertThat(ImageTokens.openAiTiles(width, height, detail)).isEqualTo(tokens);
    }

    @ParameterizedTest(name = "OpenAI patches {0}x{1}: {2}")
    @CsvSource({
            // 32 x 32 patches of 32 px
            "1024, 1024, 1024",
            // 57 x 75 = 4275 > 1536: shrink sqrt(1024 x 1536 / 4,320,000) = 0.6034, fitted to 0.5867: 1056x1408, 33 x 44
            "1800, 2400, 1452"})
    void openAiPatchesAsTheVisionGuideCountsThem(long width, long height, long patches) {
        assertThat(ImageTokens.patches(width, height)).isEqualTo(patches);
        assertThat(ImageTokens.openAiPatches(width, height)).isEqualTo((long) Math.ceil(patches * 2.46));
    }

    @ParameterizedTest(name = "Anthropic {0}x{1}: {2}")
    @CsvSource({
            // the table of "Evaluate image size": 200x200 ~54, 1000x1000 ~1334, 1092x1092 ~1590
            "200, 200, 54", "1000, 1000, 1334", "1092, 1092, 1590",
            // 4000x3000: long edge to 1568 (1568x1176 = 2459 tokens), then scaled to the ~1,600 cap
            "4000, 3000, 1600"})
    void anthropicAsItsVisionGuideCountsImages(long width, long height, long tokens) {
        assertThat(ImageTokens.anthropic(width, height)).isEqualTo(tokens);
    }

    @ParameterizedTest(name = "Gemini {0}x{1}: {2}")
    @CsvSource({
            "384, 384, 258",
            // larger than 384 on one side: 768x768 tiles; 600x400 is one tile (Google's own example)
            "600, 400, 258", "1024, 1024, 1032",
            // 3072x3072 is 16 tiles; a larger image is scaled down to fit 3072x3072 first
            "3072, 3072, 4128", "9000, 9000, 4128"})
    void geminiAsItsTokenGuideCountsImages(long width, long height, long tokens) {
        assertThat(ImageTokens.gemini(width, height)).isEqualTo(tokens);
    }

    @Test
    void anImageCountsTheMostAnyProviderWouldChargeForIt() {
        // 1024x1024: OpenAI tiles 765, patches 1024 x 2.46 = 2519.04, Anthropic 1399, Gemini 1032
        assertThat(ImageTokens.of(1024, 1024, "low")).isEqualTo(2520);
        // 4000x3000: tiles 765; patches 44 x 33 = 1452 x 2.46 = 3571.92; Anthropic 1600; Gemini 4 x 3 x 258 = 3096
        assertThat(ImageTokens.of(4000, 3000, "high")).isEqualTo(3572);
        assertThat(ImageTokens.LARGEST).isEqualTo(4128);
    }

    @Test
    void readsTheSizeFromTheHeaderOfEveryImageFormatInADataUrl() throws Exception {
        long expected = ImageTokens.of(1024, 1024, "auto");
        assertThat(parts.image(imageUrl(TestMedia.dataUrl("image/png", TestMedia.png(1024, 1024))))).isEqualTo(expected);
        assertThat(parts.image(imageUrl(TestMedia.dataUrl("image/gif", TestMedia.gif(1024, 1024))))).isEqualTo(expected);
        assertThat(parts.image(imageUrl(TestMedia.dataUrl("image/webp", TestMedia.webp(1024, 1024))))).isEqualTo(expected);
        assertThat(parts.image(imageUrl(TestMedia.dataUrl("image/webp", TestMedia.webpLossy(1024, 1024))))).isEqualTo(expected);
        // the frame header after 2 KB of EXIF: found by skipping segments, never decoding the image
        assertThat(parts.image(imageUrl(TestMedia.dataUrl("image/jpeg", TestMedia.jpeg(1024, 1024, 2000))))).isEqualTo(expected);
        assertThat(parts.image(JSON.readTree("{\"url\":\"" + TestMedia.dataUrl("image/png", TestMedia.png(4000, 3000))
                + "\",\"detail\":\"high\"}"))).isEqualTo(3572);
    }

    @Test
    void anImageOfUnknownSizeCountsTheCeiling() throws Exception {
        assertThat(parts.image(imageUrl("https://images.example/cat.png"))).isEqualTo(4128);
        assertThat(parts.image(imageUrl("data:image/png;base64,bm90IGFuIGltYWdl"))).isEqualTo(4128);
        assertThat(parts.image(imageUrl("data:image/png;base64,%%%%"))).isEqualTo(4128);
        assertThat(parts.image(JSON.readTree("\"https://images.example/cat.png\""))).isEqualTo(4128);
        assertThat(new ContentPartTokens(1000, 32, 25_000).image(imageUrl("https://images.example/cat.png"))).isEqualTo(1000);
    }

    @Test
    void audioCountsItsWavDurationOrItsLongestPossibleDuration() throws Exception {
        // 2.5 s of 16 kHz PCM at 32 tokens a second
        assertThat(parts.audio(audio(TestMedia.wav(16_000, 2.5), "wav"))).isEqualTo(80);
        // not a WAV header: 7,500 bytes last at most 10 s at 6 kbit/s
        assertThat(parts.audio(audio(new byte[7500], "mp3"))).isEqualTo(320);
        assertThat(new ContentPartTokens(4128, 10, 25_000).audio(audio(TestMedia.wav(16_000, 2.5), "wav"))).isEqualTo(25);
    }

    @Test
    void aFileCountsItsCeiling() {
        assertThat(parts.file()).isEqualTo(25_000);
    }

    private static JsonNode imageUrl(String url) {
        return JSON.createObjectNode().put("url", url);
    }

    private static JsonNode audio(byte[] data, String format) {
        return JSON.createObjectNode().put("data", java.util.Base64.getEncoder().encodeToString(data)).put("format", format);
    }
}
