package io.rlstream.trainer.service;

import io.rlstream.deadletter.DeadLetters;
import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.DeadLetter;
import io.rlstream.events.ScoredSample;
import io.rlstream.events.TopicPartitionOffset;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.metrics.MetricsPublisher;
import io.rlstream.model.Policy;
import io.rlstream.schemas.SerdeFactory;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.trainer.checkpoint.CheckpointStore;
import io.rlstream.trainer.checkpoint.TrainerState;
import io.rlstream.trainer.core.PolicyTrainer;
import io.rlstream.trainer.core.StepStats;
import io.rlstream.trainer.core.TrainerConfig;
import io.rlstream.trainer.core.TrainingSample;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * rl.training-batches → policy updates → checkpoints → rl.checkpoints.
 *
 * <p>Exactly once across crashes without consumer-group commits: each checkpoint records the
 * position in rl.training-batches just after the last batch it trained on; a restarted trainer
 * loads the newest complete checkpoint and seeks there (ARCHITECTURE rule 4). The checkpoint is
 * complete on disk before its CheckpointPublished is sent, so a generator never loads a partial
 * one. Batches are read read_committed, so an aborted batch is never trained.
 */
public final class TrainerService implements Runnable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerService.class);
    private static final String SERVICE = "trainer";

    private final TrainerServiceConfig config;
    private final TopicCatalog catalog;
    private final SerdeFactory serdes;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private volatile long version = -1;

    public TrainerService(TrainerServiceConfig config) {
        this.config = config;
        this.catalog = config.catalog();
        this.serdes = config.serdes();
    }

    /** Version of the newest published policy, or -1 before the first. */
    public long version() {
        return version;
    }

    TrainerConfig trainerConfig() {
        return TrainerConfig.defaults()
                .withLearningRate(config.getDouble(TrainerServiceConfig.LEARNING_RATE))
                .withClip(config.getDouble(TrainerServiceConfig.CLIP_LOW), config.getDouble(TrainerServiceConfig.CLIP_HIGH))
                .withGradClip(config.getDouble(TrainerServiceConfig.GRAD_CLIP))
                .withWarmupSteps(config.getInt(TrainerServiceConfig.WARMUP_STEPS))
                .withDecaySteps(config.getInt(TrainerServiceConfig.DECAY_STEPS))
                .withUpdatesPerBatch(config.getInt(TrainerServiceConfig.UPDATES_PER_BATCH));
    }

    @Override
    public void run() {
        String policyName = config.getString(TrainerServiceConfig.POLICY_NAME);
        CheckpointStore store = new CheckpointStore(Path.of(config.getString(TrainerServiceConfig.CHECKPOINT_DIR)).toAbsolutePath());
        String batchTopic = catalog.name(Topic.TRAINING_BATCHES);
        String checkpointTopic = catalog.name(Topic.CHECKPOINTS);
        TopicPartition partition = new TopicPartition(batchTopic, 0);

        Map<String, Object> consumerProps = new HashMap<>(config.clientProps());
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topic.MAX_MESSAGE_BYTES);
        Map<String, Object> producerProps = new HashMap<>(config.clientProps());
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        Deserializer<TrainingBatchGroup> decoder = serdes.serde(TrainingBatchGroup.class).deserializer();

        Resumed resumed = resume(store, policyName);
        try (Policy policy = resumed.policy();
                KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(),
                        new ByteArrayDeserializer());
                KafkaProducer<String, CheckpointPublished> producer = new KafkaProducer<>(producerProps,
                        new StringSerializer(), serdes.serde(CheckpointPublished.class).serializer());
                KafkaProducer<String, DeadLetter> deadLetters = new KafkaProducer<>(producerProps,
                        new StringSerializer(), serdes.serde(DeadLetter.class).serializer());
                MetricsPublisher metrics = new MetricsPublisher(SERVICE, config.clientProps(), catalog, serdes)) {
            consumer.assign(List.of(partition));
            if (resumed.nextOffset() >= 0) {
                consumer.seek(partition, resumed.nextOffset());
            } else {
                consumer.seekToBeginning(List.of(partition));
            }
            // Announce the weights we start from (again, after a restart: generators ignore old versions).
            publish(producer, checkpointTopic, store.folder(resumed.state().version()), resumed.state());
            version = resumed.state().version();
            PolicyTrainer trainer = new PolicyTrainer(policy, trainerConfig());
            BatchCollector collector = new BatchCollector();
            long step = resumed.state().step();
            long maxSteps = config.getLong(TrainerServiceConfig.MAX_STEPS);
            long lastStepNanos = System.nanoTime();
            while (running.get() && (maxSteps == 0 || step < maxSteps)) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    TrainingBatchGroup group;
                    try {
                        group = decoder.deserialize(record.topic(), record.headers(), record.value());
                    } catch (RuntimeException e) {
                        // The processors write batches with the registry serde: this is a foreign
                        // record. It goes to the dead letters; training data is never guessed at.
                        LOG.error("dead letter from {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                                e.toString());
                        deadLetters.send(new ProducerRecord<>(catalog.name(Topic.DEAD_LETTERS), record.key(),
                                DeadLetters.of(SERVICE, record.topic(), record.partition(), record.offset(),
                                        record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8),
                                        record.value(), "undecodable training batch record: " + e.getMessage(), e)));
                        metrics.publish("trainer.dead_letters", 1);
                        continue;
                    }
                    Optional<List<TrainingBatchGroup>> batch = collector.add(group);
                    if (batch.isEmpty()) {
                        continue;
                    }
                    step++;
                    long now = System.nanoTime();
                    Map<String, Double> stepMetrics = train(trainer, batch.get(), version);
                    stepMetrics.put("step_seconds", (System.nanoTime() - now) / 1e9);
                    stepMetrics.put("rollouts_per_second", stepMetrics.get("samples") / Math.max((now - lastStepNanos) / 1e9, 1e-9));
                    lastStepNanos = now;
                    TrainerState state = new TrainerState(policyName, version + 1, step,
                            List.of(new TrainerState.Position(batchTopic, 0, record.offset() + 1)), stepMetrics,
                            System.currentTimeMillis());
                    Path folder = store.write(policy, state, Map.of("policy_name", policyName,
                            "version", Long.toString(state.version()), "step", Long.toString(step)));
                    publish(producer, checkpointTopic, folder, state);
                    version = state.version();
                    store.prune(config.getInt(TrainerServiceConfig.KEEP));
                    long v = version;
                    long s = step;
                    stepMetrics.forEach((name, value) -> metrics.publish("trainer." + name, value, s, v, Map.of()));
                    if (maxSteps > 0 && step >= maxSteps) {
                        break;
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One policy update on a complete batch; returns the step's metrics. */
    static Map<String, Double> train(PolicyTrainer trainer, List<TrainingBatchGroup> batch, long currentVersion) {
        List<TrainingSample> samples = new ArrayList<>();
        double rewardSum = 0;
        double stalenessSum = 0;
        for (TrainingBatchGroup group : batch) {
            for (ScoredSample s : group.getSamples()) {
                samples.add(new TrainingSample(ints(s.getPromptTokenIds()), ints(s.getResponseTokenIds()),
                        floats(s.getBehaviourLogprobs()), s.getAdvantage(), s.getTruncated()));
                rewardSum += s.getReward();
                stalenessSum += currentVersion - s.getPolicyVersion();
            }
        }
        StepStats stats = trainer.rlStep(samples);
        Map<String, Long> filter = batch.get(0).getFilterStats();
        long completed = filter.getOrDefault("groups_completed", 0L);
        long kept = filter.getOrDefault("groups_kept", 0L);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", stats.loss());
        m.put("clip_fraction", stats.clipFraction());
        m.put("grad_norm", stats.gradNorm());
        m.put("samples", (double) samples.size());
        m.put("groups", (double) batch.size());
        m.put("reward_mean", rewardSum / samples.size());
        m.put("staleness_mean", stalenessSum / samples.size());
        if (completed > 0) {
            m.put("effective_ratio", (double) kept / completed);
        }
        m.put("tokens", (double) stats.tokens());
        return m;
    }

    private record Resumed(Policy policy, TrainerState state, long nextOffset) {
    }

    /** Loads the newest checkpoint, or makes version 0 from the initial policy. */
    private Resumed resume(CheckpointStore store, String policyName) {
        Optional<Path> latest = store.latest();
        if (latest.isPresent()) {
            TrainerState state = CheckpointStore.readState(latest.get());
            long next = state.offsets().isEmpty() ? -1 : state.offsets().get(0).offset();
            LOG.info("resuming policy {} at version {} (step {}), reading batches from offset {}", policyName,
                    state.version(), state.step(), next);
            return new Resumed(Policy.load(latest.get()), state, next);
        }
        String init = config.getString(TrainerServiceConfig.INIT);
        if (init.isBlank()) {
            throw new IllegalStateException("no checkpoint in " + store.root() + " and no initial policy: set "
                    + TrainerServiceConfig.INIT + " to a policy checkpoint folder (the demo's warm start writes one)");
        }
        Policy policy = Policy.load(Path.of(init));
        TrainerState state = new TrainerState(policyName, 0, 0, List.of(), Map.of(), System.currentTimeMillis());
        store.write(policy, state, Map.of("policy_name", policyName, "version", "0", "step", "0"));
        return new Resumed(policy, state, -1);
    }

    private static void publish(KafkaProducer<String, CheckpointPublished> producer, String topic, Path folder,
            TrainerState state) {
        List<TopicPartitionOffset> offsets = state.offsets().stream()
                .map(p -> new TopicPartitionOffset(p.topic(), p.partition(), p.offset())).toList();
        CheckpointPublished event = CheckpointPublished.newBuilder()
                .setPolicyName(state.policyName())
                .setVersion(state.version())
                .setStep(state.step())
                .setUri(folder.toUri().toString())
                .setOffsets(offsets)
                .setMetrics(state.metrics() == null ? Map.of() : state.metrics())
                .setCreatedAt(Instant.ofEpochMilli(state.createdAtMillis()))
                .build();
        try {
            producer.send(new ProducerRecord<>(topic, state.policyName(), event)).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish checkpoint " + state.version() + " to " + topic, e);
        }
    }

    static int[] ints(List<Integer> values) {
        int[] out = new int[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    static float[] floats(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    public void stop() {
        running.set(false);
    }

    @Override
    public void close() {
        stop();
    }
}
