package io.rlstream.reward.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Drains one of the program's output streams on its own thread, keeping at most {@code cap}
 * bytes. Reading never stops before end of stream, so a chatty program can neither block on a
 * full pipe nor make the service hold more than the cap; the first byte past the cap calls
 * {@code onOverflow} (which kills the run) once.
 */
final class BoundedCapture implements Runnable {

    private final InputStream in;
    private final int cap;
    private final Runnable onOverflow;
    private final ByteArrayOutputStream kept;
    private final AtomicBoolean overflowed = new AtomicBoolean();
    private final Thread thread;

    private BoundedCapture(InputStream in, int cap, Runnable onOverflow, String name) {
        this.in = in;
        this.cap = cap;
        this.onOverflow = onOverflow;
        this.kept = new ByteArrayOutputStream(Math.min(cap, 8192));
        this.thread = new Thread(this, name);
        this.thread.setDaemon(true);
    }

    static BoundedCapture start(InputStream in, int cap, Runnable onOverflow, String name) {
        BoundedCapture capture = new BoundedCapture(in, cap, onOverflow, name);
        capture.thread.start();
        return capture;
    }

    @Override
    public void run() {
        byte[] buffer = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                int room;
                synchronized (kept) {
                    room = cap - kept.size();
                    kept.write(buffer, 0, Math.max(0, Math.min(room, n)));
                }
                if (n > room && overflowed.compareAndSet(false, true)) {
                    onOverflow.run();
                }
            }
        } catch (IOException e) {
            // the pipe closed under us because the run was killed: what was read is kept
        }
    }

    /** Waits up to {@code millis} for end of stream; false if the stream is still open. */
    boolean await(long millis) throws InterruptedException {
        thread.join(Math.max(1, millis));
        return !thread.isAlive();
    }

    byte[] bytes() {
        synchronized (kept) {
            return kept.toByteArray();
        }
    }

    boolean overflowed() {
        return overflowed.get();
    }
}
