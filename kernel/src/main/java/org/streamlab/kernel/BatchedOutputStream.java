package org.streamlab.kernel;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Sits between a cell's System.out and the Jupyter stream: text still streams while the cell runs
 * (flushed every {@link #FLUSH_MILLIS} ms or per 64 KB), but a loop printing millions of lines does not
 * become millions of messages, and output beyond {@link #limitBytes} is dropped with one notice, so a
 * cell printing 100 MB cannot drown the notebook or the kernel.
 */
final class BatchedOutputStream extends OutputStream {
    static final long FLUSH_MILLIS = 50;
    private static final int CHUNK = 64 * 1024;

    private final OutputStream target;
    private final long limitBytes;
    private final byte[] buffer = new byte[CHUNK];
    private int count;
    private long written;
    private boolean truncated;
    private long lastFlush = System.nanoTime();

    BatchedOutputStream(OutputStream target, long limitBytes) {
        this.target = target;
        this.limitBytes = limitBytes;
    }

    @Override
    public synchronized void write(int b) throws IOException {
        if (accept(1)) {
            if (count == buffer.length) {
                drain();
            }
            buffer[count++] = (byte) b;
            if (b == '\n') {
                maybeFlush();
            }
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        int allowed = (int) Math.min(len, Math.max(0, limitBytes - written));
        if (!accept(allowed == 0 ? len : allowed)) {
            return;
        }
        int pos = off;
        int remaining = allowed;
        while (remaining > 0) {
            if (count == buffer.length) {
                drain();
            }
            int n = Math.min(remaining, buffer.length - count);
            System.arraycopy(b, pos, buffer, count, n);
            count += n;
            pos += n;
            remaining -= n;
        }
        if (allowed < len) {
            truncate();
        }
        maybeFlush();
    }

    private boolean accept(int n) throws IOException {
        if (truncated) {
            return false;
        }
        if (written + n > limitBytes) {
            truncate();
            return false;
        }
        written += n;
        return true;
    }

    private void truncate() throws IOException {
        if (!truncated) {
            truncated = true;
            drain();
            target.write(("\n[output truncated after " + (limitBytes >> 20)
                    + " MB; the cell goes on running. Write large results to a file instead.]\n").getBytes(StandardCharsets.UTF_8));
            target.flush();
        }
    }

    private void maybeFlush() throws IOException {
        if (System.nanoTime() - lastFlush >= FLUSH_MILLIS * 1_000_000) {
            flushNow();
        }
    }

    private void drain() throws IOException {
        if (count > 0) {
            target.write(buffer, 0, count);
            count = 0;
        }
    }

    /** PrintStream flushes on every println; only pass that on when the batch is due. */
    @Override
    public synchronized void flush() throws IOException {
        maybeFlush();
    }

    /** Sends what is buffered now: called by the ticker and when the cell ends. */
    synchronized void flushNow() throws IOException {
        drain();
        target.flush();
        lastFlush = System.nanoTime();
    }
}
