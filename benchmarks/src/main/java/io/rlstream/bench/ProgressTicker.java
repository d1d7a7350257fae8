package io.rlstream.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Prints a status line every few seconds while a phase runs, so a long run never sits silent. */
final class ProgressTicker implements AutoCloseable {

    static final Duration INTERVAL = Duration.ofSeconds(5);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-progress");
        t.setDaemon(true);
        return t;
    });

    ProgressTicker(PrintStream out, Supplier<String> line) {
        long started = System.nanoTime();
        timer.scheduleAtFixedRate(() -> {
            out.printf("  %5.1f s  %s%n", (System.nanoTime() - started) / 1e9, line.get());
            out.flush();
        }, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
