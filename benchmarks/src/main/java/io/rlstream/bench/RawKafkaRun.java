package io.rlstream.bench;

import io.rlstream.bench.ProcessorsBenchmark.Latency;
import io.rlstream.bench.ProcessorsBenchmark.Row;
import io.rlstream.bench.SyntheticRollouts.Payload;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

    /** Numbers of the raw side: the row and the CPU seconds per part while it ran. */
    record Outcome(Row row, Map<String, Double> cpuSeconds) {
    }

    private RawKafkaRun() {
    }

    /**
     * Sends and reads back {@code warmup} untimed, then {@code payload} timed.
     *
     * @param otherParts rules for threads of this JVM that are not the raw side's (the rlstream
     *                   services, idle between their runs), checked before the raw side's own
     * @return records read, seconds from the first send until the last record was read, payload
     *         bytes read, per record the time from its send (its timestamp) to its read; and CPU
     */
    static Outcome measure(String bootstrapServers, String topic, Payload payload, Payload warmup, long deadlineNanos,
            Map<String, Long> processes, List<CpuMeter.Rule> otherParts, PrintStream out) throws InterruptedException {
        List<CpuMeter.Rule> rules = new java.util.ArrayList<>(otherParts);
        rules.add(new CpuMeter.Rule("bench-", PipelineRun.BENCH_CLIENTS));
        rules.add(new CpuMeter.Rule(Thread.currentThread().getName(), PipelineRun.BENCH_CLIENTS));
        CpuMeter cpu = new CpuMeter(rules, processes);
        int n = payload.size();
        LatencySamples latencies = new LatencySamples();
        AtomicLong bytes = new AtomicLong();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                BenchClients.producer(bootstrapServers, "bench-raw-producer"), new StringSerializer(),
                new ByteArraySerializer())) {
            producer.partitionsFor(topic); // metadata before the clock starts, as on the pipeline side
            if (warmup.size() > 0) {
                long t0 = System.nanoTime();
                try (TopicReader<byte[], byte[]> reader = new TopicReader<byte[], byte[]>("bench-raw-warmup-reader",
                        BenchClients.consumer(bootstrapServers, "bench-raw-warmup-reader"), new ByteArrayDeserializer(),
                        new ByteArrayDeserializer(), topic, false, warmup.size(), (r, readAt) -> { }).start()) {
                    reader.awaitReady(Duration.ofSeconds(60));
                    new PayloadSender().sendAll(producer, topic, warmup);
                    if (!reader.awaitAll(Duration.ofNanos(deadlineNanos - System.nanoTime()))) {
                        return new Outcome(ProcessorsBenchmark.Row.NONE, Map.of());
                    }
                }
                out.printf("raw Kafka: warmed up with %d rollouts (%.1f s)%n", warmup.size(),
                        (System.nanoTime() - t0) / 1e9);
            }
            TopicReader<byte[], byte[]> reader = new TopicReader<>("bench-raw-reader",
                    BenchClients.consumer(bootstrapServers, "bench-raw-reader"), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer(), topic, true, n, (r, readAt) -> {
                        latencies.add(readAt - r.timestamp());
                        bytes.addAndGet(r.serializedValueSize());
                    });
            long startNanos;
            Map<String, Double> cpuSeconds;
            try {
                reader.start().awaitReady(Duration.ofSeconds(60));
                PayloadSender sender = new PayloadSender();
                out.printf("raw Kafka: sending %d rollouts to %s and reading them back...%n", n, topic);
                try (ProgressTicker ticker = new ProgressTicker(out, () -> String.format(
                        "raw Kafka: %d/%d sent, %d acknowledged, %d read", sender.sent(), n, sender.acknowledged(),
                        reader.records()))) {
                    CpuMeter.Reading cpuReading = cpu.start();
                    startNanos = System.nanoTime();
                    sender.sendAll(producer, topic, payload);
                    reader.awaitAll(Duration.ofNanos(deadlineNanos - System.nanoTime()));
                    cpuSeconds = cpuReading.stop();
                }
            } finally {
                reader.close();
            }
            long endNanos = reader.finishedNanos() > 0 ? reader.finishedNanos() : System.nanoTime();
            return new Outcome(new Row(Math.min(n, reader.records()), (endNanos - startNanos) / 1e9, bytes.get(),
                    Latency.of(latencies.toArray())), cpuSeconds);
        }
    }
}
