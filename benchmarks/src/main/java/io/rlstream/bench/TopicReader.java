package io.rlstream.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads every partition of one topic, from the beginning or from the current end, on its own
 * thread until it has seen {@code expected} records or is closed. Every record is handed to {@code onRecord} with the
 * wall-clock time (ms) its poll returned. The consumer lives entirely on that thread (Kafka
 * consumers are single-threaded); {@link #awaitReady} returns once it has found its start
 * positions, so that a clock started afterwards does not time the connection setup.
 */
final class TopicReader<K, V> implements AutoCloseable {

    /** Called on the reader's thread for each record. */
    interface RecordHandler<K, V> {
        void accept(ConsumerRecord<K, V> record, long readAtMillis);
    }

    private final String topic;
    private final long expected;
    private final Thread thread;
    private final AtomicLong records = new AtomicLong();
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stopped;
    private volatile long finishedNanos;

    private final boolean fromEnd;

    /** @param fromEnd start at the partitions' current ends (what is already committed is skipped) */
    TopicReader(String name, Map<String, Object> consumerProps, Deserializer<K> keys, Deserializer<V> values,
            String topic, boolean fromEnd, long expected, RecordHandler<K, V> onRecord) {
        this.topic = topic;
        this.fromEnd = fromEnd;
        this.expected = expected;
        this.thread = new Thread(() -> loop(consumerProps, keys, values, onRecord), name);
        this.thread.setDaemon(true);
    }

    TopicReader<K, V> start() {
        thread.start();
        return this;
    }

    private void loop(Map<String, Object> props, Deserializer<K> keys, Deserializer<V> values,
            RecordHandler<K, V> onRecord) {
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(props, keys, values)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " has no partitions (does it exist?)");
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            if (fromEnd) {
                consumer.seekToEnd(partitions);
            } else {
                consumer.seekToBeginning(partitions);
            }
            partitions.forEach(consumer::position);
            ready.countDown();
            while (!stopped && records.get() < expected) {
                var batch = consumer.poll(Duration.ofMillis(100));
                long now = System.currentTimeMillis();
                for (ConsumerRecord<K, V> r : batch) {
                    onRecord.accept(r, now);
                    if (records.incrementAndGet() == expected) {
                        finishedNanos = System.nanoTime();
                    }
                }
            }
        } catch (Throwable t) {
            failure.set(t);
        } finally {
            ready.countDown();
            done.countDown();
        }
    }

    void awaitReady(Duration max) throws InterruptedException {
        if (!ready.await(max.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("reader of " + topic + " did not find its start positions within "
                    + max.toSeconds() + " s");
        }
        rethrow();
    }

    /** Waits until every expected record was read; false when {@code max} passed first. */
    boolean awaitAll(Duration max) throws InterruptedException {
        boolean all = done.await(Math.max(0, max.toMillis()), TimeUnit.MILLISECONDS);
        rethrow();
        return all && records.get() >= expected;
    }

    private void rethrow() {
        Throwable t = failure.get();
        if (t != null) {
            throw new IllegalStateException("reader of " + topic + " failed: " + t, t);
        }
    }

    long records() {
        return records.get();
    }

    /** {@link System#nanoTime()} when the last expected record arrived; 0 before. */
    long finishedNanos() {
        return finishedNanos;
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.join(30_000);
    }
}
