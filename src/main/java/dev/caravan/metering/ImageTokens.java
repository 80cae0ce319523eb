package dev.caravan.metering;

/**
 * What one image of a known size costs in prompt tokens: the most that any of the providers'
 * published rules gives for it, because the hold covers every candidate backend and an OpenAI-wire
 * backend may be any of them. Each rule, as its provider documents it:
 * <ul>
 *   <li>OpenAI tiles (GPT-4o, GPT-4.1, o-series): {@code detail: low} 85; otherwise fit the image in
 *       2048x2048, scale its shortest side down to 768, then 170 per 512x512 tile plus 85;</li>
 *   <li>OpenAI patches (GPT-4.1 mini and nano, o4-mini, GPT-5 mini and nano): 32x32 patches, at most
 *       1,536 (the image scaled down to fit), times the model's multiplier, at most 2.46 (the nano
 *       models); these models ignore {@code detail};</li>
 *   <li>Anthropic: width x height / 750 after fitting the long edge in 1,568 pixels, at most about
 *       1,600 tokens (larger images are scaled down to that);</li>
 *   <li>Gemini API: fit in 3072x3072; both sides at most 384: 258; otherwise 258 per 768x768 tile.</li>
 * </ul>
 * The largest value any image can reach is Gemini's 16 tiles, {@value #LARGEST}: the default ceiling
 * for an image whose size is unknown.
 */
final class ImageTokens {

    static final long LARGEST = 16 * 258;

    private static final int PATCH = 32;
    private static final int MAX_PATCHES = 1536;
    private static final double LARGEST_PATCH_MULTIPLIER = 2.46;

    private ImageTokens() {
    }

    /** @param detail the image part's {@code detail}: {@code low}, {@code high}, {@code auto} or null */
    static long of(long width, long height, String detail) {
        return Math.max(Math.max(openAiTiles(width, height, detail), openAiPatches(width, height)),
                Math.max(anthropic(width, height), gemini(width, height)));
    }

    static long openAiTiles(long width, long height, String detail) {
        if ("low".equals(detail)) {
            return 85;
        }
        double scale = Math.min(1, 2048.0 / Math.max(width, height));
        double w = width * scale;
        double h = height * scale;
        double shortest = Math.min(w, h);
        if (shortest > 768) {
            w = w * 768 / shortest;
            h = h * 768 / shortest;
        }
        return 170 * tiles(w, 512) * tiles(h, 512) + 85;
    }

    static long openAiPatches(long width, long height) {
        return (long) Math.ceil(patches(width, height) * LARGEST_PATCH_MULTIPLIER);
    }

    /** 32x32 patches covering the image, after scaling it down to fit in 1,536 of them. */
    static long patches(long width, long height) {
        long patches = tiles(width, PATCH) * tiles(height, PATCH);
        if (patches > MAX_PATCHES) {
            double shrink = Math.sqrt((double) PATCH * PATCH * MAX_PATCHES / ((double) width * height));
            double fit = Math.min(Math.floor(width * shrink / PATCH) / (width * shrink / PATCH),
                    Math.floor(height * shrink / PATCH) / (height * shrink / PATCH));
            shrink *= fit;
            patches = Math.min(MAX_PATCHES, tiles(width * shrink, PATCH) * tiles(height * shrink, PATCH));
        }
        return patches;
    }

    static long anthropic(long width, long height) {
        double scale = Math.min(1, 1568.0 / Math.max(width, height));
        return Math.min(1600, (long) Math.ceil(width * scale * height * scale / 750));
    }

    static long gemini(long width, long height) {
        double scale = Math.min(1, 3072.0 / Math.max(width, height));
        double w = width * scale;
        double h = height * scale;
        if (w <= 384 && h <= 384) {
            return 258;
        }
        return 258 * tiles(w, 768) * tiles(h, 768);
    }

    private static long tiles(double length, int tile) {
        return Math.max(1, (long) Math.ceil(length / tile - 1e-9));
    }
}
