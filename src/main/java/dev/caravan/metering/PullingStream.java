package dev.caravan.metering;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * An input stream whose bytes are made on demand: each read that finds nothing buffered pulls once
 * from the source ({@link #pull()}), which writes what it made. Nothing is read ahead, so what the
 * source delivers reaches the reader (the HTTP layer, which flushes after every read) at once.
 */
public abstract class PullingStream extends InputStream {

    /** Small: a held stream keeps it; it grows when a pull makes more. */
    private byte[] out = new byte[2048];
    private int outPos;
    private int outLen;

    /** One read from the source, writing ({@link #write}) whatever it makes of it, possibly nothing. */
    protected abstract void pull() throws IOException;

    /** Nothing more will be pulled: the end, once the buffer is read. */
    protected abstract boolean exhausted();

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (outPos == outLen) {
            if (exhausted()) {
                return -1;
            }
            outPos = 0;
            outLen = 0;
            pull();
        }
        int n = Math.min(len, outLen - outPos);
        System.arraycopy(out, outPos, b, off, n);
        outPos += n;
        return n;
    }

    protected final void write(byte[] bytes) {
        write(bytes, 0, bytes.length);
    }

    protected final void write(byte[] bytes, int from, int count) {
        if (outLen + count > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, outLen + count));
        }
        System.arraycopy(bytes, from, out, outLen, count);
        outLen += count;
    }
}
