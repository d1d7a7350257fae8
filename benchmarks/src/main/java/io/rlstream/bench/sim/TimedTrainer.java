package io.rlstream.bench.sim;

import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.ScoredSample;
import io.rlstream.events.TopicPartitionOffset;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.schemas.SerdeFactory;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.tokens.Tokens;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A stand-in for the trainer: it reads the committed batches on rl.training-batches like the
 * trainer, "trains" each by sleeping in proportion to its response tokens, and announces the next
 * policy version on rl.checkpoints (no weights: the stand-in generators only need the version).
 * It records each batch's staleness (trained version − sample version) and its own idle time.
 */
final class TimedTrainer implements Runnable {

    private final Map<String, Object> clientProps;
    private final TopicCatalog catalog;
    private final SerdeFactory serdes;
    private final double secondsPerToken;
    private final int batches;
    private final AtomicBoolean running;
    private final List<Double> stalenessMeans = new ArrayList<>();
    private long stalenessMax;
    private volatile long trained;
    private volatile long firstBatchNanos = -1;
    private volatile long lastBatchNanos = -1;
    private long busyNanos;
    private volatile double idleFraction = Double.NaN;

    TimedTrainer(Map<String, Object> clientProps, TopicCatalog catalog, SerdeFactory serdes, double secondsPerToken,
            int batches, AtomicBoolean running) {
        this.clientProps = clientProps;
        this.catalog = catalog;
        this.serdes = serdes;
        this.secondsPerToken = secondsPerToken;
        this.batches = batches;
        this.running = running;
    }

    long trained() {
        return trained;
    }

    double idleFraction() {
        return idleFraction;
    }

    /** Seconds from the first batch's arrival to the last trained one's announcement. */
    double seconds() {
        return (lastBatchNanos - firstBatchNanos) / 1e9;
    }

    synchronized double stalenessMean() {
        return stalenessMeans.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    synchronized long stalenessMax() {
        return stalenessMax;
    }

    @Override
    public void run() {
        Map<String, Object> c = new HashMap<>(clientProps);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        TopicPartition partition = new TopicPartition(catalog.name(Topic.TRAINING_BATCHES), 0);
        long version = 0;
        long startNanos = System.nanoTime();
        try (KafkaConsumer<String, TrainingBatchGroup> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                serdes.serde(TrainingBatchGroup.class).deserializer());
                KafkaProducer<String, CheckpointPublished> producer = new KafkaProducer<>(clientProps,
                        new StringSerializer(), serdes.serde(CheckpointPublished.class).serializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            String checkpoints = catalog.name(Topic.CHECKPOINTS);
            List<TrainingBatchGroup> batch = new ArrayList<>();
            while (running.get() && trained < batches) {
                for (ConsumerRecord<String, TrainingBatchGroup> r : consumer.poll(Duration.ofMillis(20))) {
                    TrainingBatchGroup g = r.value();
                    batch.add(g);
                    if (batch.size() < g.getBatchGroups()) {
                        continue;
                    }
                    long begin = System.nanoTime();
                    if (firstBatchNanos < 0) {
                        firstBatchNanos = begin;
                        startNanos = begin;
                    }
                    long tokens = 0;
                    double stale = 0;
                    int samples = 0;
                    long max = 0;
                    for (TrainingBatchGroup group : batch) {
                        for (ScoredSample s : group.getSamples()) {
                            tokens += Tokens.responseLength(s);
                            stale += version - s.getPolicyVersion();
                            max = Math.max(max, version - s.getPolicyVersion());
                            samples++;
                        }
                    }
                    TimedGenerator.sleep(tokens * secondsPerToken);
                    version++;
                    synchronized (this) {
                        stalenessMeans.add(samples == 0 ? 0 : stale / samples);
                        stalenessMax = Math.max(stalenessMax, max);
                    }
                    producer.send(new ProducerRecord<>(checkpoints, "sim", CheckpointPublished.newBuilder()
                            .setPolicyName("sim").setVersion(version).setUri("sim:/v" + version).setStep(version)
                            .setBatchIds(List.of(g.getBatchId()))
                            // where it read to, as the trainer announces it (the dispatcher checks versions against it)
                            .setOffsets(List.of(new TopicPartitionOffset(partition.topic(), partition.partition(),
                                    r.offset() + 1)))
                            .setCreatedAt(Instant.now()).build()));
                    producer.flush();
                    batch.clear();
                    long end = System.nanoTime();
                    busyNanos += end - begin;
                    idleFraction = 1 - (double) busyNanos / Math.max(1, end - startNanos);
                    lastBatchNanos = end;
                    trained++;
                    if (trained >= batches) {
                        break;
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            Thread.currentThread().interrupt();
        }
    }
}
