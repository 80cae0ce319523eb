package dev.caravan.support;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.CRC32;

/**
 * Media files as far as a header goes: what the gateway reads to size an image or an audio clip,
 * followed by filler where the pixels or samples would be. Nobody decodes them.
 */
public final class TestMedia {

    private TestMedia() {
    }

    /** A base64 data URL of {@code bytes}. */
    public static String dataUrl(String mediaType, byte[] bytes) {
        return "data:" + mediaType + ";base64," + Base64.getEncoder().encodeToString(bytes);
    }

    /** PNG: the signature, then the IHDR chunk (width, height, 8-bit RGB), then an empty IDAT. */
    public static byte[] png(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", new byte[16]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(name);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** JPEG: SOI, an APP0 (JFIF) and an APP1 segment of {@code exifBytes} before the SOF0 frame header. */
    public static byte[] jpeg(int width, int height, int exifBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xD8});
        segment(out, 0xE0, "JFIF\0\1\1\0\0\1\0\1\0\0".getBytes(StandardCharsets.ISO_8859_1));
        segment(out, 0xE1, new byte[exifBytes]);
        ByteBuffer sof = ByteBuffer.allocate(15).put((byte) 8).putShort((short) height).putShort((short) width)
                .put((byte) 3);
        segment(out, 0xC0, sof.array());
        out.writeBytes(new byte[64]);
        return out.toByteArray();
    }

    private static void segment(ByteArrayOutputStream out, int marker, byte[] data) {
        out.write(0xFF);
        out.write(marker);
        out.writeBytes(ByteBuffer.allocate(2).putShort((short) (data.length + 2)).array());
        out.writeBytes(data);
    }

    /** GIF89a: the logical screen size, little-endian. */
    public static byte[] gif(int width, int height) {
        return ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN).put("GIF89a".getBytes(StandardCharsets.US_ASCII))
                .putShort((short) width).putShort((short) height).array();
    }

    /** WebP, extended format (VP8X): the canvas size minus one, 24 bits little-endian each. */
    public static byte[] webp(int width, int height) {
        ByteBuffer webp = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        webp.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(56).put("WEBPVP8X".getBytes(StandardCharsets.US_ASCII))
                .putInt(10).putInt(0);
        put24(webp, width - 1);
        put24(webp, height - 1);
        return webp.array();
    }

    /** WebP, lossy (VP8): the key frame's start code, then 14-bit width and height. */
    public static byte[] webpLossy(int width, int height) {
        ByteBuffer webp = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        webp.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(56).put("WEBPVP8 ".getBytes(StandardCharsets.US_ASCII))
                .putInt(30);
        webp.put(new byte[] {0, 0, 0, (byte) 0x9d, 0x01, 0x2a});
        webp.putShort((short) width).putShort((short) height);
        return webp.array();
    }

    private static void put24(ByteBuffer buffer, int value) {
        buffer.put((byte) value).put((byte) (value >> 8)).put((byte) (value >> 16));
    }

    /** A PCM WAV file: 16-bit mono at {@code sampleRate}, {@code seconds} long (silence). */
    public static byte[] wav(int sampleRate, double seconds) {
        int dataBytes = (int) (sampleRate * seconds) * 2;
        ByteBuffer wav = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        wav.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + dataBytes).put("WAVE".getBytes(StandardCharsets.US_ASCII));
        wav.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1)
                .putInt(sampleRate).putInt(sampleRate * 2).putShort((short) 2).putShort((short) 16);
        wav.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(dataBytes);
        return wav.array();
    }
}
