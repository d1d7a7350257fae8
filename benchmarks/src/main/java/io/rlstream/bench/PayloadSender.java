package io.rlstream.bench;

import io.rlstream.bench.SyntheticRollouts.Payload;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends a payload's records, each stamped with its send time, and waits for every
 * acknowledgement: either as fast as the producer takes them (open loop, as rollout workers do),
 * or paced, one group of G records at a time at evenly spaced instants, as workers that each
 * finish a group now and then would send them.
 */
final class PayloadSender {

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private volatile long maxBehindNanos;

    /** @throws IllegalStateException if any send failed (the first failure is the cause) */
    void sendAll(KafkaProducer<String, byte[]> producer, String topic, Payload payload) {
        for (int i = 0; i < payload.size() && failure.get() == null; i++) {
            send(producer, topic, payload, i);
        }
        finish(producer, topic);
    }

    /**
     * Sends group {@code g} (records {@code g*G .. g*G+G-1}, the payload is group by group) at
     * {@link #groupStartNanos} after the first; a group whose instant has passed goes at once,
     * and how late the latest went is {@link #maxBehindMillis()}.
     *
     * @throws IllegalStateException if any send failed (the first failure is the cause)
     */
    void sendPaced(KafkaProducer<String, byte[]> producer, String topic, Payload payload, int groupSize,
            double rolloutsPerSecond) {
        if (payload.size() % groupSize != 0) {
            throw new IllegalArgumentException("a paced payload holds whole groups of " + groupSize + ", got "
                    + payload.size() + " records");
        }
        long start = System.nanoTime();
        for (int g = 0; g < payload.size() / groupSize && failure.get() == null; g++) {
            long due = start + groupStartNanos(g, groupSize, rolloutsPerSecond);
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            maxBehindNanos = Math.max(maxBehindNanos, -wait);
            for (int i = g * groupSize; i < (g + 1) * groupSize; i++) {
                send(producer, topic, payload, i);
            }
        }
        finish(producer, topic);
    }

    /**
     * When group {@code group} (from 0) is due, in nanoseconds after the first: G rollouts at
     * R rollouts/s is one group every G/R seconds, so group g at g x G / R seconds.
     */
    static long groupStartNanos(int group, int groupSize, double rolloutsPerSecond) {
        if (!(rolloutsPerSecond > 0) || Double.isInfinite(rolloutsPerSecond)) {
            throw new IllegalArgumentException("the rate must be a positive number of rollouts/s, got "
                    + rolloutsPerSecond);
        }
        return Math.round((double) group * groupSize * 1e9 / rolloutsPerSecond);
    }

    private void send(KafkaProducer<String, byte[]> producer, String topic, Payload payload, int i) {
        producer.send(new ProducerRecord<>(topic, null, System.currentTimeMillis(), payload.keys().get(i),
                payload.values().get(i)), (metadata, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    } else {
                        acknowledged.incrementAndGet();
                    }
                });
        sent.incrementAndGet();
    }

    private void finish(KafkaProducer<String, byte[]> producer, String topic) {
        producer.flush();
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException("sending to " + topic + " failed after " + acknowledged.get()
                    + " acknowledged records: " + e, e);
        }
    }

    long sent() {
        return sent.get();
    }

    long acknowledged() {
        return acknowledged.get();
    }

    /** Paced: how late the latest group went after its instant (the sender could not keep the pace), ms. */
    double maxBehindMillis() {
        return maxBehindNanos / 1e6;
    }
}
