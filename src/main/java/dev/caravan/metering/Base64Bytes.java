package dev.caravan.metering;

/**
 * The bytes of base64 text, read where they are needed: byte {@code i} decodes only the four
 * characters that hold it. A media header is a few dozen bytes at known offsets (or, for JPEG, a
 * few segment headers), so sizing an image never decodes the image. Standard base64 only, without
 * line breaks, as data URLs carry it; anything else reads as unknown ({@code -1}).
 */
final class Base64Bytes {

    private static final int[] VALUES = new int[128];

    static {
        java.util.Arrays.fill(VALUES, -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < alphabet.length(); i++) {
            VALUES[alphabet.charAt(i)] = i;
        }
    }

    private final CharSequence text;
    private final int start;
    private final long length;

    /** The base64 text in {@code text} from {@code start} to its end. */
    Base64Bytes(CharSequence text, int start) {
        this.text = text;
        this.start = start;
        int chars = text.length() - start;
        int padding = chars > 0 && text.charAt(text.length() - 1) == '=' ? chars > 1 && text.charAt(text.length() - 2) == '=' ? 2 : 1 : 0;
        this.length = Math.max(0, chars / 4 * 3L - padding);
    }

    /** The decoded length in bytes. */
    long length() {
        return length;
    }

    /** The byte at {@code index} (0..255), or -1 past the end or where the text is not base64. */
    int at(long index) {
        if (index < 0 || index >= length) {
            return -1;
        }
        long group = index / 3;
        int offset = (int) (index % 3);
        int first = value(start + (int) (group * 4) + offset);
        int second = value(start + (int) (group * 4) + offset + 1);
        if (first < 0 || second < 0) {
            return -1;
        }
        return switch (offset) {
            case 0 -> (first << 2 | second >> 4) & 0xFF;
            case 1 -> (first << 4 | second >> 2) & 0xFF;
            default -> (first << 6 | second) & 0xFF;
        };
    }

    /** Big-endian unsigned integer of {@code bytes} bytes at {@code index}; -1 when unreadable. */
    long bigEndian(long index, int bytes) {
        return integer(index, bytes, true);
    }

    /** Little-endian unsigned integer of {@code bytes} bytes at {@code index}; -1 when unreadable. */
    long littleEndian(long index, int bytes) {
        return integer(index, bytes, false);
    }

    private long integer(long index, int bytes, boolean mostSignificantFirst) {
        long value = 0;
        for (int i = 0; i < bytes; i++) {
            int b = at(index + (mostSignificantFirst ? i : bytes - 1 - i));
            if (b < 0) {
                return -1;
            }
            value = value << 8 | b;
        }
        return value;
    }

    /** Whether the ASCII text {@code expected} is at {@code index}. */
    boolean startsWith(long index, String expected) {
        for (int i = 0; i < expected.length(); i++) {
            if (at(index + i) != expected.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private int value(int position) {
        if (position >= text.length()) {
            return -1;
        }
        char c = text.charAt(position);
        return c < 128 ? VALUES[c] : -1;
    }
}
