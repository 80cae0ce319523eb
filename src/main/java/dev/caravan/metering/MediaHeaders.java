package dev.caravan.metering;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The size of an image (PNG, JPEG, GIF, WebP) and the duration of a WAV clip, read from the file's
 * header inside its base64 text: never decoding pixels or samples, never fetching anything. What
 * cannot be read this way is unknown (empty), and the caller assumes the worst.
 */
final class MediaHeaders {

    /** Enough for EXIF, ICC profiles and thumbnails before a JPEG's frame header. */
    private static final int MAX_JPEG_SEGMENTS = 64;
    private static final int MAX_WAV_CHUNKS = 16;

    /** Width and height in pixels. */
    record Size(long width, long height) {
    }

    private MediaHeaders() {
    }

    static Optional<Size> imageSize(Base64Bytes image) {
        Size size = null;
        if (image.startsWith(0, "\u0089PNG\r\n\u001a\n") && image.startsWith(12, "IHDR")) {
            size = new Size(image.bigEndian(16, 4), image.bigEndian(20, 4));
        } else if (image.startsWith(0, "GIF8")) {
            size = new Size(image.littleEndian(6, 2), image.littleEndian(8, 2));
        } else if (image.startsWith(0, "RIFF") && image.startsWith(8, "WEBP")) {
            size = webp(image);
        } else if (image.at(0) == 0xFF && image.at(1) == 0xD8) {
            size = jpeg(image);
        }
        return size != null && size.width() > 0 && size.height() > 0 ? Optional.of(size) : Optional.empty();
    }

    private static Size webp(Base64Bytes image) {
        if (image.startsWith(12, "VP8X")) {
            return new Size(image.littleEndian(24, 3) + 1, image.littleEndian(27, 3) + 1);
        }
        if (image.startsWith(12, "VP8 ") && image.at(23) == 0x9d && image.at(24) == 0x01 && image.at(25) == 0x2a) {
            return new Size(image.littleEndian(26, 2) & 0x3FFF, image.littleEndian(28, 2) & 0x3FFF);
        }
        if (image.startsWith(12, "VP8L") && image.at(20) == 0x2f) {
            long bits = image.littleEndian(21, 4);
            return bits < 0 ? null : new Size((bits & 0x3FFF) + 1, (bits >> 14 & 0x3FFF) + 1);
        }
        return null;
    }

    /** The first frame header (SOFn), found by skipping whole segments by their lengths. */
    private static Size jpeg(Base64Bytes image) {
        long position = 2;
        for (int segment = 0; segment < MAX_JPEG_SEGMENTS; segment++) {
            if (image.at(position) != 0xFF) {
                return null;
            }
            int marker = image.at(position + 1);
            if (marker == 0xFF) {
                position++; // fill byte
                continue;
            }
            if (isFrameHeader(marker)) {
                return new Size(image.bigEndian(position + 7, 2), image.bigEndian(position + 5, 2));
            }
            if (marker == 0xDA || marker < 0) {
                return null; // scan data before any frame header
            }
            boolean standalone = marker == 0x01 || marker >= 0xD0 && marker <= 0xD8;
            long length = standalone ? 0 : image.bigEndian(position + 2, 2);
            if (length < 0) {
                return null;
            }
            position += 2 + length;
        }
        return null;
    }

    private static boolean isFrameHeader(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    /**
     * Seconds of a PCM (or A-law, mu-law, float) WAV clip: the bytes after the start of its
     * {@code data} chunk over the byte rate, which must agree with the sample rate and block size.
     */
    static OptionalDouble wavSeconds(Base64Bytes audio) {
        if (!audio.startsWith(0, "RIFF") || !audio.startsWith(8, "WAVE")) {
            return OptionalDouble.empty();
        }
        long byteRate = -1;
        long position = 12;
        for (int chunk = 0; chunk < MAX_WAV_CHUNKS; chunk++) {
            long size = audio.littleEndian(position + 4, 4);
            if (size < 0) {
                return OptionalDouble.empty();
            }
            if (audio.startsWith(position, "fmt ")) {
                byteRate = byteRate(audio, position + 8);
            } else if (audio.startsWith(position, "data")) {
                long samples = audio.length() - (position + 8);
                return byteRate > 0 ? OptionalDouble.of((double) samples / byteRate) : OptionalDouble.empty();
            }
            position += 8 + size + (size & 1);
        }
        return OptionalDouble.empty();
    }

    /** The byte rate of a {@code fmt } chunk, or -1 when it is not one whose duration it gives. */
    private static long byteRate(Base64Bytes audio, long fmt) {
        long format = audio.littleEndian(fmt, 2);
        long channels = audio.littleEndian(fmt + 2, 2);
        long sampleRate = audio.littleEndian(fmt + 4, 4);
        long byteRate = audio.littleEndian(fmt + 8, 4);
        long blockAlign = audio.littleEndian(fmt + 12, 2);
        long bits = audio.littleEndian(fmt + 14, 2);
        boolean uncompressed = format == 1 || format == 3 || format == 6 || format == 7 || format == 0xFFFE;
        boolean consistent = channels > 0 && sampleRate > 0 && blockAlign == channels * bits / 8
                && byteRate == sampleRate * blockAlign;
        return uncompressed && consistent ? byteRate : -1;
    }
}
