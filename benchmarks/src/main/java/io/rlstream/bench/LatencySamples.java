package io.rlstream.bench;

import java.util.Arrays;

/**
 * Latencies in milliseconds, appended by one thread (a reader) and summarized after it stopped;
 * {@link Thread#join} orders the reads after the writes.
 */
final class LatencySamples {

    private long[] values = new long[1024];
    private int size;

    void add(long millis) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = millis;
    }

    int size() {
        return size;
    }

    long[] toArray() {
        return Arrays.copyOf(values, size);
    }
}
