package io.rlstream.producers.rollouts;

import io.rlstream.config.AccessRefused;
import io.rlstream.config.GroupMembership;
import io.rlstream.deadletter.DeadLetters;
import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.DeadLetter;
import io.rlstream.events.PromptDispatch;
import io.rlstream.events.Rollout;
import io.micrometer.core.instrument.MeterRegistry;
import io.rlstream.monitoring.health.Health;
import io.rlstream.monitoring.metrics.MetricCatalog;
import io.rlstream.monitoring.metrics.MetricsPublisher;
import io.rlstream.monitoring.prometheus.KafkaMeters;
import io.rlstream.model.Policy;
import io.rlstream.schemas.SerdeFactory;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * rl.prompt-dispatch → rl.rollouts, exactly once: each poll's dispatches are generated and their
 * rollouts produced in one transaction together with the consumed offsets, so a crash either
 * publishes a dispatch's whole group or none of it (a retried group repeats the same rollout ids,
 * which downstream de-duplicates). New weights from rl.checkpoints are loaded between
 * generations, never in the middle of one: in process (generate.backend local) or by the inference
 * server the worker generates through (openai, sglang; {@link HttpGenerator}).
 */
public final class RolloutWorker implements Runnable, AutoCloseable, Health.Readiness {

    private static final Logger LOG = LoggerFactory.getLogger(RolloutWorker.class);
    private static final String SERVICE = "rollout-worker";
    /** Largest group a dispatch may ask for; a larger one is a dead letter (it would not fit a generation batch). */
    static final int MAX_GROUP_SIZE = 4096;

    private final WorkerConfig config;
    private final TopicCatalog catalog;
    private final SerdeFactory serdes;
    private final MeterRegistry registry;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private volatile long generatedSamples;
    private volatile double idleFraction = Double.NaN;
    private long weightSyncFailures;
    private volatile IllegalStateException failure;
    /** Set once the weights are loaded and the worker takes dispatches: its /ready (issue 19). */
    private volatile boolean ready;

    public RolloutWorker(WorkerConfig config) {
        this(config, null);
    }

    /** With its Kafka clients' metrics and its published metrics in {@code registry} (null: none). */
    public RolloutWorker(WorkerConfig config, MeterRegistry registry) {
        this.registry = registry;
        this.config = config;
        this.catalog = config.catalog();
        this.serdes = config.serdes();
    }

    /** True once the weights are loaded and the worker takes dispatches (not while it loads a model). */
    @Override
    public boolean ready() {
        return ready;
    }

    /** Why the worker stopped on its own (it cannot go on: no checkpoint loads, ...); null while it runs or after stop(). */
    public IllegalStateException failure() {
        return failure;
    }

    public long generatedSamples() {
        return generatedSamples;
    }

    /**
     * Share of the time since the first dispatch arrived that this worker waited for work (not
     * generating or committing); NaN before any.
     */
    public double idleFraction() {
        return idleFraction;
    }

    @Override
    public void run() {
        String workerId = config.getString(WorkerConfig.WORKER_ID);
        Map<String, Object> consumerProps = new HashMap<>(config.clientProps());
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, config.getString(WorkerConfig.GROUP_ID));
        // Static membership under the worker's id: a restarted worker gets its partitions back at once (issue 19).
        consumerProps.putAll(GroupMembership.consumerSettings(config, workerId));
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProps.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.getInt(WorkerConfig.MAX_DISPATCHES));
        Map<String, Object> producerProps = new HashMap<>(config.clientProps());
        producerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "rlstream-" + workerId);
        producerProps.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        Deserializer<PromptDispatch> dispatchDecoder = serdes.serde(PromptDispatch.class).deserializer();
        Serializer<Rollout> rolloutEncoder = serdes.serde(Rollout.class).serializer();
        Serializer<DeadLetter> deadLetterEncoder = serdes.serde(DeadLetter.class).serializer();
        String dispatchTopic = catalog.name(Topic.PROMPT_DISPATCH);
        String rolloutTopic = catalog.name(Topic.ROLLOUTS);
        String deadLetterTopic = catalog.name(Topic.DEAD_LETTERS);

        try (CheckpointFollower checkpoints = new CheckpointFollower(config.clientProps(), catalog, serdes,
                        config.getString(WorkerConfig.POLICY_NAME));
                MetricsPublisher metrics = new MetricsPublisher(SERVICE, config.clientProps(), catalog, serdes, registry);
                KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(),
                        new ByteArrayDeserializer());
                KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps, new StringSerializer(),
                        new org.apache.kafka.common.serialization.ByteArraySerializer());
                KafkaMeters.Bound meters = KafkaMeters.bindClients(registry, consumer, producer)) {
            producer.initTransactions();
            DeadLetterOut out = new DeadLetterOut(producer, deadLetterEncoder, deadLetterTopic, metrics, workerId);
            String model = config.getString(WorkerConfig.MODEL);
            CheckpointPublished loaded;
            RolloutGenerator generator;
            if (!model.isBlank()) {
                try {
                    loaded = startingModel(Path.of(model));
                    generator = openGenerator(loaded, true);
                } catch (IllegalStateException e) {
                    throw e;
                } catch (RuntimeException e) {
                    throw new IllegalStateException(WorkerConfig.MODEL + " " + model + " does not load: " + e.getMessage(), e);
                }
            } else {
                Opened opened = openFromTopic(checkpoints, out);
                if (opened == null) {
                    return;
                }
                loaded = opened.checkpoint();
                generator = opened.generator();
            }
            LOG.info("{} generates with {} at policy version {} ({})", workerId, config.backend(), loaded.getVersion(),
                    loaded.getUri());
            consumer.subscribe(List.of(dispatchTopic));
            ready = true;
            long firstWorkNanos = -1;
            long busyNanos = 0;
            try {
                while (running.get()) {
                    checkpoints.poll(Duration.ZERO);
                    out.undecodable(checkpoints);
                    for (CheckpointFollower.Announcement a : checkpoints.newerThan(generator.servedVersion())) {
                        RolloutGenerator.WeightSync sync;
                        try {
                            sync = loadCheckpoint(generator, a.checkpoint(), metrics, workerId);
                        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                            checkpoints.reject(a);
                            if (CheckpointCheck.folderGone(a.checkpoint())) {
                                // superseded and pruned before this worker got to it: no dead letter, a newer one is coming
                                LOG.info("{}: skipped policy version {}: its folder {} is gone (a newer checkpoint superseded"
                                        + " it and the trainer's retention deleted it)", workerId,
                                        a.checkpoint().getVersion(), a.checkpoint().getUri());
                                out.skipped(1);
                            } else {
                                // the checkpoint itself is bad: the old weights stay, an older announcement newer than them may load
                                out.rejected(a, e);
                            }
                            continue;
                        }
                        if (sync.ok()) {
                            checkpoints.forgetUpTo(generator.servedVersion());
                        } else {
                            // the server could not load it (the reason is logged and counted): not repeated, nor are the
                            // older announcements it superseded; the next checkpoint tries again
                            for (CheckpointFollower.Announcement older : checkpoints.newerThan(generator.servedVersion())) {
                                if (older.checkpoint().getVersion() <= a.checkpoint().getVersion()) {
                                    checkpoints.reject(older);
                                }
                            }
                        }
                        break;
                    }
                    ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(100));
                    if (records.isEmpty()) {
                        continue;
                    }
                    long workStart = System.nanoTime();
                    if (firstWorkNanos < 0) {
                        firstWorkNanos = workStart;
                    }
                    List<PromptDispatch> dispatches = new ArrayList<>();
                    List<ProducerRecord<String, byte[]>> deadLetters = new ArrayList<>();
                    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                    for (ConsumerRecord<String, byte[]> r : records) {
                        offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                        try {
                            Object decoded = r.value() == null || r.value().length == 0 ? null
                                    : dispatchDecoder.deserialize(r.topic(), r.headers(), r.value());
                            if (decoded == null) {
                                throw new IllegalArgumentException("empty record (no PromptDispatch)");
                            }
                            PromptDispatch d = (PromptDispatch) decoded;
                            if (d.getGroupId() == null || d.getGroupId().isBlank()) {
                                throw new IllegalArgumentException("blank group_id");
                            }
                            if (d.getGroupSize() > MAX_GROUP_SIZE) {
                                throw new IllegalArgumentException("group_size " + d.getGroupSize() + " is above "
                                        + MAX_GROUP_SIZE);
                            }
                            if (d.getGroupSize() < 1 || d.getMaxNewTokens() < 1 || !(d.getTemperature() > 0)) {
                                throw new IllegalArgumentException("group_size and max_new_tokens must be >= 1 and temperature > 0, got "
                                        + d.getGroupSize() + ", " + d.getMaxNewTokens() + ", " + d.getTemperature());
                            }
                            dispatches.add(d);
                        } catch (RuntimeException e) {
                            DeadLetter dl = DeadLetters.of(SERVICE, r.topic(), r.partition(), r.offset(),
                                    r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8), r.value(),
                                    "invalid dispatch: " + e.getMessage(), e);
                            deadLetters.add(new ProducerRecord<>(deadLetterTopic, r.key(), deadLetterEncoder.serialize(deadLetterTopic, dl)));
                            LOG.warn("{}: dead letter for {}-{}@{}: invalid dispatch: {}", workerId, r.topic(), r.partition(),
                                    r.offset(), e.getMessage());
                        }
                    }
                    long start = System.nanoTime();
                    List<Rollout> rollouts;
                    try {
                        rollouts = generateEach(generator, dispatches, workerId);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    try {
                        producer.beginTransaction();
                        for (Rollout rollout : rollouts) {
                            producer.send(new ProducerRecord<>(rolloutTopic, rollout.getGroupId(),
                                    rolloutEncoder.serialize(rolloutTopic, rollout)));
                        }
                        deadLetters.forEach(producer::send);
                        producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                        producer.commitTransaction();
                    } catch (ProducerFencedException e) {
                        throw e;
                    } catch (KafkaException e) {
                        if (AccessRefused.find(e).isPresent()) {
                            // no retry makes an ACL appear: stop with the reason (issue 21)
                            throw new IllegalStateException(AccessRefused.describe(AccessRefused.find(e).get(), producerProps), e);
                        }
                        LOG.warn("{}: transaction failed, rewinding to the last committed dispatch: {}", workerId, e.toString());
                        producer.abortTransaction();
                        rewind(consumer);
                        continue;
                    }
                    generatedSamples += rollouts.size();
                    long workEnd = System.nanoTime();
                    busyNanos += workEnd - workStart;
                    idleFraction = 1 - (double) busyNanos / Math.max(1, workEnd - firstWorkNanos);
                    long served = generator.servedVersion();
                    metrics.publish(MetricCatalog.WORKER_ROLLOUTS, rollouts.size(), -1, served, Map.of("worker", workerId));
                    metrics.publish(MetricCatalog.WORKER_SAMPLES_PER_SECOND, rollouts.size() / Math.max(seconds, 1e-9), -1,
                            served, Map.of("worker", workerId));
                    metrics.publish(MetricCatalog.WORKER_IDLE_FRACTION, idleFraction, -1, served, Map.of("worker", workerId));
                    if (!deadLetters.isEmpty()) {
                        metrics.publish(MetricCatalog.WORKER_DEAD_LETTERS, deadLetters.size());
                    }
                }
            } finally {
                generator.close();
            }
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            Thread.currentThread().interrupt();
        } catch (org.apache.kafka.common.errors.AuthorizationException e) {
            // refused a topic, its group or its transactional id: one line naming the principal, and stop (issue 21)
            failure = new IllegalStateException(AccessRefused.describe(e, producerProps), e);
            LOG.error("{} stops: {}", workerId, failure.getMessage());
            throw failure;
        } catch (IllegalStateException e) {
            failure = e;
            LOG.error("{} stops: {}", workerId, e.getMessage());
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The generator of generate.backend. An http backend whose first checkpoint came from
     * rl.checkpoints loads it on the server before any generation (a server that cannot is a setup
     * error: the worker stops with the reason); one started from worker.model takes it that the
     * server was started with that folder.
     */
    private RolloutGenerator openGenerator(CheckpointPublished first, boolean fromWorkerModel) throws InterruptedException {
        RolloutGenerator generator = RolloutGenerator.open(config, first);
        if (config.backend() == GenerateBackend.LOCAL) {
            return generator;
        }
        if (!fromWorkerModel) {
            RolloutGenerator.WeightSync sync;
            try {
                sync = generator.load(first);
            } catch (RuntimeException e) {
                generator.close();
                throw e;
            }
            if (!sync.ok()) {
                generator.close();
                throw new IllegalStateException("the " + config.backend() + " server at " + config.getString(WorkerConfig.URL)
                        + " cannot load the first checkpoint: " + sync.failure());
            }
        }
        return generator;
    }

    /** Loads an announced checkpoint; a server that fails keeps its old version, which the log and metrics say. */
    private RolloutGenerator.WeightSync loadCheckpoint(RolloutGenerator generator, CheckpointPublished checkpoint,
            MetricsPublisher metrics, String workerId) throws InterruptedException {
        RolloutGenerator.WeightSync sync = generator.load(checkpoint);
        if (!sync.remote()) {
            LOG.info("{}: loaded policy version {} in {} s", workerId, checkpoint.getVersion(),
                    String.format("%.2f", sync.seconds()));
            return sync;
        }
        long served = generator.servedVersion();
        metrics.publish(MetricCatalog.WORKER_WEIGHT_SYNC_SECONDS, sync.seconds(), -1, served,
                Map.of("worker", workerId, "outcome", sync.ok() ? "ok" : "failed"));
        metrics.publish(MetricCatalog.WORKER_SERVED_VERSION, served, -1, served, Map.of("worker", workerId));
        if (sync.ok()) {
            LOG.info("{}: the server loaded policy version {} in {} s", workerId, checkpoint.getVersion(),
                    String.format("%.2f", sync.seconds()));
        } else {
            metrics.publish(MetricCatalog.WORKER_WEIGHT_SYNC_FAILURES, ++weightSyncFailures, -1, served,
                    Map.of("worker", workerId));
            LOG.warn("{}: weight sync failed, the server keeps serving version {}: {}", workerId, served, sync.failure());
        }
        return sync;
    }

    /**
     * The rollouts of a poll's dispatches; when the generator throws for the poll, each dispatch again
     * alone, and one that still throws is G FAILED rollouts with the reason (never a dead thread).
     */
    private static List<Rollout> generateEach(RolloutGenerator generator, List<PromptDispatch> dispatches, String workerId)
            throws InterruptedException {
        try {
            return generator.generate(dispatches);
        } catch (RuntimeException e) {
            if (dispatches.size() == 1) {
                LOG.warn("{}: group {} cannot be generated: {}", workerId, dispatches.get(0).getGroupId(), e.toString());
                return RolloutRecords.failed(workerId, dispatches.get(0), generator.servedVersion(), "generation failed: " + e);
            }
        }
        List<Rollout> out = new ArrayList<>();
        for (PromptDispatch d : dispatches) {
            out.addAll(generateEach(generator, List.of(d), workerId));
        }
        return out;
    }

    private record Opened(CheckpointPublished checkpoint, RolloutGenerator generator) {}

    /**
     * The generator of the newest announced checkpoint that loads: the topic is replayed to its end,
     * the newest tried first and each that does not load rejected (dead letter) in favour of the next
     * older one. An announcement whose folder is gone ({@link CheckpointCheck#folderGone}: a newer
     * checkpoint superseded it and the trainer's retention deleted it while this worker started) is
     * skipped without a dead letter, and the topic is read to its new end again for the newer
     * announcements, for at most worker.checkpoint.wait.ms. When announcements exist but none loads
     * the worker cannot start: an IllegalStateException says so. With none yet it waits for the first
     * (null once stopped).
     */
    private Opened openFromTopic(CheckpointFollower checkpoints, DeadLetterOut out) throws InterruptedException {
        checkpoints.replay(Duration.ofMinutes(1));
        boolean afterReplay = true;
        long waitNanos = Duration.ofMillis(config.getLong(WorkerConfig.CHECKPOINT_WAIT_MS)).toNanos();
        long goneSince = 0;
        TreeSet<Long> goneVersions = new TreeSet<>();
        String newestGone = null;
        long newestGoneVersion = Long.MIN_VALUE;
        int badCount = 0;
        while (running.get() && !Thread.currentThread().isInterrupted()) {
            out.undecodable(checkpoints);
            TreeSet<Long> goneNow = new TreeSet<>();
            for (CheckpointFollower.Announcement a : checkpoints.newerThan(Long.MIN_VALUE)) {
                try {
                    return new Opened(a.checkpoint(), openGenerator(a.checkpoint(), false));
                } catch (IllegalStateException e) {
                    throw e;
                } catch (RuntimeException e) {
                    checkpoints.reject(a);
                    if (CheckpointCheck.folderGone(a.checkpoint())) {
                        if (a.checkpoint().getVersion() >= newestGoneVersion) {
                            newestGoneVersion = a.checkpoint().getVersion();
                            newestGone = a.checkpoint().getUri();
                        }
                        goneNow.add(a.checkpoint().getVersion());
                    } else {
                        badCount++;
                        out.rejected(a, e);
                    }
                }
            }
            if (!goneNow.isEmpty()) {
                if (goneVersions.isEmpty()) {
                    goneSince = System.nanoTime();
                }
                goneVersions.addAll(goneNow);
                out.skipped(goneNow.size());
                LOG.info("{}: the folders of announced policy versions {} are gone (superseded and deleted by the"
                        + " trainer's retention); reading {} to its new end for a newer one", config.getString(
                        WorkerConfig.WORKER_ID), versionRanges(goneNow), catalog.name(Topic.CHECKPOINTS));
            }
            if (!goneVersions.isEmpty()) {
                if (System.nanoTime() - goneSince >= waitNanos) {
                    throw new IllegalStateException(goneMessage(goneVersions, newestGone, badCount));
                }
            } else if (afterReplay && checkpoints.any()) {
                throw new IllegalStateException("no checkpoint of policy '" + config.getString(WorkerConfig.POLICY_NAME)
                        + "' on " + catalog.name(Topic.CHECKPOINTS) + " loads (each rejected one is on "
                        + catalog.name(Topic.DEAD_LETTERS) + " with the reason) and " + WorkerConfig.MODEL + " is not set");
            }
            afterReplay = false;
            checkpoints.poll(Duration.ofMillis(200));
            checkpoints.replay(Duration.ofMinutes(1));
        }
        return null;
    }

    /** Why a start whose announced folders are all gone gives up: one line, with what to change. */
    private String goneMessage(SortedSet<Long> gone, String newestGone, int badCount) {
        return "no checkpoint of policy '" + config.getString(WorkerConfig.POLICY_NAME) + "' on "
                + catalog.name(Topic.CHECKPOINTS) + " loads: the folders of announced versions " + versionRanges(gone)
                + " are gone (newest " + newestGone + ")" + (badCount == 0 ? "" : " and " + badCount
                + " other announcements do not load (dead letters on " + catalog.name(Topic.DEAD_LETTERS) + ")")
                + ", and no newer announcement with a folder came within " + WorkerConfig.CHECKPOINT_WAIT_MS + "="
                + config.getLong(WorkerConfig.CHECKPOINT_WAIT_MS) + " ms; the trainer deletes all but its newest"
                + " trainer.checkpoints.keep folders, so keep more than it publishes while a worker starts (or start"
                + " workers faster)";
    }

    /** Versions as ranges, "1-5, 7", the first and last 5 ranges when there are many. */
    static String versionRanges(SortedSet<Long> versions) {
        List<String> ranges = new ArrayList<>();
        Long from = null;
        Long to = null;
        for (long v : versions) {
            if (to != null && v == to + 1) {
                to = v;
                continue;
            }
            if (from != null) {
                ranges.add(from.equals(to) ? String.valueOf(from) : from + "-" + to);
            }
            from = v;
            to = v;
        }
        if (from != null) {
            ranges.add(from.equals(to) ? String.valueOf(from) : from + "-" + to);
        }
        if (ranges.size() > 10) {
            int left = ranges.size() - 10;
            List<String> shown = new ArrayList<>(ranges.subList(0, 5));
            shown.add("(" + left + " more ranges)");
            shown.addAll(ranges.subList(ranges.size() - 5, ranges.size()));
            ranges = shown;
        }
        return String.join(", ", ranges);
    }

    /**
     * Dead letters of rl.checkpoints records, each in its own transaction, counted in
     * worker.checkpoints_rejected; and the announcements skipped because their folder is gone, counted
     * in worker.checkpoints_skipped (no dead letter: nothing is wrong with them).
     */
    private static final class DeadLetterOut {
        private final KafkaProducer<String, byte[]> producer;
        private final Serializer<DeadLetter> encoder;
        private final String topic;
        private final MetricsPublisher metrics;
        private final String workerId;
        private long rejected;
        private long skipped;

        DeadLetterOut(KafkaProducer<String, byte[]> producer, Serializer<DeadLetter> encoder, String topic,
                MetricsPublisher metrics, String workerId) {
            this.producer = producer;
            this.encoder = encoder;
            this.topic = topic;
            this.metrics = metrics;
            this.workerId = workerId;
        }

        void rejected(CheckpointFollower.Announcement a, RuntimeException e) {
            send(a.source(), "checkpoint version " + a.checkpoint().getVersion() + " does not load, the worker keeps its "
                    + "last good weights: " + e.getMessage(), e);
        }

        void skipped(int announcements) {
            skipped += announcements;
            metrics.publish(MetricCatalog.WORKER_CHECKPOINTS_SKIPPED, skipped, -1, -1, Map.of("worker", workerId));
        }

        void undecodable(CheckpointFollower checkpoints) {
            for (CheckpointFollower.Undecodable u : checkpoints.drainUndecodable()) {
                send(u.source(), "invalid checkpoint announcement: " + u.error().getMessage(), u.error());
            }
        }

        private void send(ConsumerRecord<String, byte[]> r, String reason, RuntimeException e) {
            LOG.warn("{}: dead letter for {}-{}@{}: {}", workerId, r.topic(), r.partition(), r.offset(), reason);
            DeadLetter dl = DeadLetters.of(SERVICE, r.topic(), r.partition(), r.offset(),
                    r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8), r.value(), reason, e);
            try {
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, r.key(), encoder.serialize(topic, dl)));
                producer.commitTransaction();
            } catch (ProducerFencedException fenced) {
                throw fenced;
            } catch (KafkaException k) {
                LOG.warn("{}: could not write the dead letter: {}", workerId, k.toString());
                producer.abortTransaction();
            }
            metrics.publish(MetricCatalog.WORKER_CHECKPOINTS_REJECTED, ++rejected, -1, -1, Map.of("worker", workerId));
        }
    }

    private static void rewind(KafkaConsumer<String, byte[]> consumer) {
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(consumer.assignment());
        for (TopicPartition tp : consumer.assignment()) {
            OffsetAndMetadata c = committed.get(tp);
            if (c == null) {
                consumer.seekToBeginning(List.of(tp));
            } else {
                consumer.seek(tp, c.offset());
            }
        }
    }

    /** Asks the loop to stop after the current generation. */
    public void stop() {
        running.set(false);
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * The worker.model folder as if announced: its version is metadata.json's "version" (a folder
     * the trainer published or exported), else 0, so checkpoints the trainer announces later replace it.
     */
    private CheckpointPublished startingModel(Path folder) {
        String version = Policy.readMetadata(folder).getOrDefault("version", "0");
        long v;
        try {
            v = Long.parseLong(version.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(WorkerConfig.MODEL + " " + folder + ": metadata.json's version '"
                    + version + "' is not a number", e);
        }
        return CheckpointPublished.newBuilder().setPolicyName(config.getString(WorkerConfig.POLICY_NAME))
                .setVersion(v).setUri(folder.toAbsolutePath().toUri().toString()).setStep(0)
                .setCreatedAt(java.time.Instant.now()).build();
    }
}
