package io.rlstream.cli.bench;

import io.rlstream.cli.bench.ProcessorsBenchmark.Latency;
import io.rlstream.cli.bench.ProcessorsBenchmark.Row;
import io.rlstream.cli.bench.SyntheticRollouts.Payload;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The baseline: the same serialized rollouts produced to a plain topic with the rollouts topic's
 * partition count and configs, and read back as bytes by one read_committed consumer. What Kafka
 * alone costs for this data on this broker, with the same client settings as the pipeline's.
 */
final class RawKafkaRun {

    private RawKafkaRun() {
    }

    /**
     * @return records read, seconds from the first send until the last record was read, payload
     *         bytes read, and per record the time from its send (its timestamp) to its read
     */
    static Row measure(String bootstrapServers, String topic, Payload payload, long deadlineNanos, PrintStream out)
            throws InterruptedException {
        int n = payload.size();
        LatencySamples latencies = new LatencySamples();
        AtomicLong bytes = new AtomicLong();
        TopicReader<byte[], byte[]> reader = new TopicReader<>("bench-raw-reader",
                BenchClients.consumer(bootstrapServers, "bench-raw-reader"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer(), topic, n, (r, readAt) -> {
                    latencies.add(readAt - r.timestamp());
                    bytes.addAndGet(r.serializedValueSize());
                });
        long startNanos;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                BenchClients.producer(bootstrapServers, "bench-raw-producer"), new StringSerializer(),
                new ByteArraySerializer())) {
            reader.start().awaitReady(Duration.ofSeconds(60));
            producer.partitionsFor(topic); // metadata before the clock starts, as on the pipeline side
            PayloadSender sender = new PayloadSender();
            out.printf("raw Kafka: sending %d rollouts to %s and reading them back...%n", n, topic);
            try (ProgressTicker ticker = new ProgressTicker(out, () -> String.format(
                    "raw Kafka: %d/%d sent, %d acknowledged, %d read", sender.sent(), n, sender.acknowledged(),
                    reader.records()))) {
                startNanos = System.nanoTime();
                sender.sendAll(producer, topic, payload);
                reader.awaitAll(Duration.ofNanos(deadlineNanos - System.nanoTime()));
            }
        } finally {
            reader.close();
        }
        long endNanos = reader.finishedNanos() > 0 ? reader.finishedNanos() : System.nanoTime();
        return new Row(Math.min(n, reader.records()), (endNanos - startNanos) / 1e9, bytes.get(),
                Latency.of(latencies.toArray()));
    }
}
