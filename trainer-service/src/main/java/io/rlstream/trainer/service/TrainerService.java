package io.rlstream.trainer.service;

import io.rlstream.deadletter.DeadLetters;
import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.DeadLetter;
import io.rlstream.events.Rollout;
import io.rlstream.rollouts.KafkaRolloutLog;
import io.rlstream.rollouts.RolloutLog;
import io.rlstream.rollouts.TokenResolver;
import io.rlstream.events.TopicPartitionOffset;
import io.micrometer.core.instrument.MeterRegistry;
import io.rlstream.monitoring.health.Health;
import io.rlstream.monitoring.metrics.MetricCatalog;
import io.rlstream.monitoring.metrics.MetricName;
import io.rlstream.monitoring.metrics.MetricsPublisher;
import io.rlstream.monitoring.prometheus.KafkaMeters;
import io.rlstream.model.Policy;
import io.rlstream.schemas.SerdeFactory;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.trainer.checkpoint.CheckpointStore;
import io.rlstream.trainer.checkpoint.TrainerState;
import io.rlstream.trainer.core.PolicyTrainer;
import io.rlstream.trainer.core.TrainerConfig;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
 * loads the newest complete checkpoint and seeks there (docs/architecture.md#rules-every-service-keeps, rule 4). The checkpoint is
 * complete on disk before its CheckpointPublished is sent, so a generator never loads a partial
 * one. Batches are read read_committed, so an aborted batch is never trained.
 */
public final class TrainerService implements Runnable, AutoCloseable, Health.Readiness {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerService.class);
    private static final String SERVICE = "trainer";

    private final TrainerServiceConfig config;
    private final TopicCatalog catalog;
    private final SerdeFactory serdes;
    private final MeterRegistry registry;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private volatile long version = -1;
    /** Set once the policy is loaded and the trainer reads batches: its /ready (issue 19). */
    private volatile boolean ready;
    private volatile double idleFraction = Double.NaN;

    public TrainerService(TrainerServiceConfig config) {
        this(config, null);
    }

    /** With its Kafka clients' metrics and its published metrics in {@code registry} (null: none). */
    public TrainerService(TrainerServiceConfig config, MeterRegistry registry) {
        this.registry = registry;
        this.config = config;
        this.catalog = config.catalog();
        this.serdes = config.serdes();
    }

    /** Version of the newest published policy, or -1 before the first. */
    /** True once the policy is loaded (or resumed) and the trainer reads its input. */
    @Override
    public boolean ready() {
        return ready;
    }

    /**
     * Share of the time since the loop began that the trainer waited for batches (not training or
     * checkpointing), as of the latest step's start; NaN before the first.
     */
    public double idleFraction() {
        return idleFraction;
    }

    public long version() {
        return version;
    }

    TrainerConfig trainerConfig() {
        return config.trainerConfig();
    }

    /** How long one read of a batch's rollouts (batches written by reference) may take before the trainer stops. */
    static final Duration ROLLOUT_READ_TIMEOUT = Duration.ofSeconds(30);

    /** The input topic and how its records become steps, for the configured mode. */
    private StepInput input(Policy policy, TokenResolver resolver) {
        int vocab = policy.config().vocabSize();
        return switch (config.getEnum(TrainerServiceConfig.MODE, TrainerMode.class)) {
            case PREFERENCE -> new PreferenceStepInput(config.getInt(TrainerServiceConfig.PAIRS_PER_STEP),
                    config.preferenceLoss(), vocab, resolver);
            case SFT -> new SftStepInput(config.getInt(TrainerServiceConfig.SFT_PROMPTS_PER_STEP), policy);
            case RL -> new RlStepInput(() -> version, config.getInt(TrainerServiceConfig.LOSS_MAX_LENGTH), vocab,
                    resolver);
            case GROUP -> new GroupStepInput(config.groupObjective(), () -> version, vocab, resolver);
        };
    }

    /**
     * Fetches the tokens of batches and pairs written by reference (processors batch.tokens=reference)
     * from rl.rollouts; opens its consumer on the first such record.
     */
    private TokenResolver resolver(String policyName) {
        String topic = catalog.name(Topic.ROLLOUTS);
        return new TokenResolver(() -> new KafkaRolloutLog(config.clientProps(), "trainer-" + policyName, topic,
                serdes.serde(Rollout.class).deserializer(), ROLLOUT_READ_TIMEOUT));
    }

    private Topic inputTopic() {
        return switch (config.getEnum(TrainerServiceConfig.MODE, TrainerMode.class)) {
            case PREFERENCE -> Topic.PREFERENCE_PAIRS;
            case SFT -> Topic.PROMPTS;
            case RL, GROUP -> Topic.TRAINING_BATCHES;
        };
    }

    @Override
    public void run() {
        String policyName = config.getString(TrainerServiceConfig.POLICY_NAME);
        CheckpointStore store = new CheckpointStore(Path.of(config.getString(TrainerServiceConfig.CHECKPOINT_DIR)).toAbsolutePath());
        String inputTopic = catalog.name(inputTopic());
        String checkpointTopic = catalog.name(Topic.CHECKPOINTS);
        TopicPartition partition = new TopicPartition(inputTopic, 0);
        TrainerConfig trainerConfig = trainerConfig();
        boolean preference = config.getEnum(TrainerServiceConfig.MODE, TrainerMode.class) == TrainerMode.PREFERENCE;
        boolean groupReference = config.getEnum(TrainerServiceConfig.MODE, TrainerMode.class) == TrainerMode.GROUP
                && config.groupObjective().needsReference();

        Map<String, Object> consumerProps = new HashMap<>(config.clientProps());
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topic.MAX_MESSAGE_BYTES);
        Map<String, Object> producerProps = new HashMap<>(config.clientProps());
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        Map<String, Object> settings = new LinkedHashMap<>(config.originalsStrings());
        settings.keySet().removeIf(k -> k.startsWith("kafka.") || k.startsWith("serde.config."));

        Resumed resumed = resume(store, policyName, settings);
        TokenResolver resolver = resolver(policyName);
        StepInput input = input(resumed.policy(), resolver);
        @SuppressWarnings("unchecked")
        Deserializer<SpecificRecord> decoder = (Deserializer<SpecificRecord>) serdes.serde(input.eventType()).deserializer();
        try (TokenResolver rollouts = resolver;
                Policy policy = resumed.policy();
                Policy reference = trainerConfig.objective().needsReference() || preference || groupReference
                        ? loadReference(store) : null;
                KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(),
                        new ByteArrayDeserializer());
                KafkaProducer<String, CheckpointPublished> producer = new KafkaProducer<>(producerProps,
                        new StringSerializer(), serdes.serde(CheckpointPublished.class).serializer());
                KafkaProducer<String, DeadLetter> deadLetters = new KafkaProducer<>(producerProps,
                        new StringSerializer(), serdes.serde(DeadLetter.class).serializer());
                MetricsPublisher metrics = new MetricsPublisher(SERVICE, config.clientProps(), catalog, serdes, registry);
                KafkaMeters.Bound meters = KafkaMeters.bindClients(registry, consumer, producer, deadLetters)) {
            consumer.assign(List.of(partition));
            if (resumed.nextOffset() >= 0) {
                consumer.seek(partition, resumed.nextOffset());
            } else {
                consumer.seekToBeginning(List.of(partition));
            }
            LOG.info("training policy {} in {} mode on {} from {}, device {}", policyName,
                    config.getString(TrainerServiceConfig.MODE), inputTopic,
                    resumed.nextOffset() >= 0 ? "offset " + resumed.nextOffset() : "the beginning",
                    policy.model().getNDManager().getDevice());
            PolicyTrainer trainer = new PolicyTrainer(policy, reference, trainerConfig);
            ready = true;
            Optional<String> poisoned = trainer.nonFiniteParameter();
            if (poisoned.isPresent()) {
                // Never announce non-finite weights: they would reach every generator.
                metrics.publish(MetricCatalog.TRAINER_PUBLISH_REFUSED, 1);
                throw new IllegalStateException("refusing to publish or train version " + resumed.state().version()
                        + " (" + store.folder(resumed.state().version()) + "): non-finite weights in "
                        + poisoned.get() + "; remove that folder to resume from the checkpoint before it");
            }
            // Announce the weights we start from (again, after a restart: generators ignore old versions).
            publish(producer, checkpointTopic, store.folder(resumed.state().version()), resumed.state());
            version = resumed.state().version();
            resumed.optimizer().ifPresent(trainer::loadOptimizer);
            long step = resumed.state().step();
            long maxSteps = config.getLong(TrainerServiceConfig.MAX_STEPS);
            long lastStepNanos = System.nanoTime();
            // Idle: time not spent training and checkpointing (waiting for batches), since the loop began.
            long startNanos = System.nanoTime();
            long lastStepEndNanos = startNanos;
            long busyNanos = 0;
            // The records of units not yet complete, by offset: a refused unit dead-letters each of them.
            Map<Long, ConsumerRecord<String, byte[]>> held = new HashMap<>();
            while (running.get() && (maxSteps == 0 || step < maxSteps)) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    Optional<StepInput.Step> ready;
                    try {
                        ready = input.add(decoder.deserialize(record.topic(), record.headers(), record.value()),
                                record.offset());
                    } catch (RolloutLog.Unavailable e) {
                        // rl.rollouts did not answer: not the record's fault. Stop; a restart resumes
                        // from the last checkpoint's offset and reads this batch again (nothing lost).
                        throw e;
                    } catch (PreferenceStepInput.MissingRollouts e) {
                        LOG.error("dead letter from {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                                e.getMessage());
                        deadLetter(deadLetters, record, "rollouts missing: " + e.getMessage(), null);
                        metrics.publish(MetricCatalog.TRAINER_DEAD_LETTERS, 1);
                        metrics.publish(MetricCatalog.TRAINER_ROLLOUTS_MISSING, e.rollouts());
                        continue;
                    } catch (RuntimeException e) {
                        // A foreign or unusable record goes to the dead letters; training data is never guessed at.
                        LOG.error("dead letter from {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                                e.toString());
                        deadLetter(deadLetters, record, "unusable " + input.eventType().getSimpleName() + " record: "
                                + e.getMessage(), e);
                        metrics.publish(MetricCatalog.TRAINER_DEAD_LETTERS, 1);
                        continue;
                    }
                    held.put(record.offset(), record);
                    if (ready.isEmpty()) {
                        continue;
                    }
                    Map<Long, ConsumerRecord<String, byte[]>> unit = new LinkedHashMap<>();
                    for (long offset : ready.get().offsets()) {
                        unit.put(offset, held.remove(offset));
                    }
                    // Records before this unit's first that no unit took (an sft prompt without an
                    // answer, a replayed duplicate, a batch that never completes) are not kept for ever.
                    long first = ready.get().offsets().stream().mapToLong(Long::longValue).min().orElse(record.offset());
                    held.keySet().removeIf(offset -> offset < first || offset == record.offset());
                    if (ready.get().refused()) {
                        // Invalid input: the unit (a batch is one transaction) is not trained, not even in
                        // part; the next checkpoint's offset lies past it, so a restart does not read it again.
                        LOG.error("skipped {} from {}-{}: {}", ready.get().ids(), record.topic(), record.partition(),
                                ready.get().invalid());
                        boolean gone = ready.get().rolloutsMissing() > 0;
                        refuse(deadLetters, metrics, inputTopic, unit, ready.get(), gone ? "rollouts missing" : "invalid input");
                        metrics.publish(MetricCatalog.TRAINER_INVALID_BATCHES, 1);
                        if (gone) {
                            metrics.publish(MetricCatalog.TRAINER_ROLLOUTS_MISSING, ready.get().rolloutsMissing());
                        }
                        continue;
                    }
                    long skippedBefore = trainer.skippedUpdates();
                    long updatesBefore = trainer.optimizerSteps();
                    long now = System.nanoTime();
                    double learningRate = trainer.learningRate();
                    Map<MetricName, Double> stepMetrics = new LinkedHashMap<>(ready.get().train().apply(trainer));
                    Optional<String> nonFinite = nonFinite(trainer, skippedBefore, stepMetrics);
                    if (nonFinite.isPresent()) {
                        // Nothing non-finite is ever checkpointed: undo what the step changed (the weights
                        // and Adam's state of the last checkpoint, which is the state before this step).
                        boolean restore = trainer.optimizerSteps() != updatesBefore
                                || nonFinite.get().contains(NON_FINITE_WEIGHTS);
                        if (restore) {
                            restore(trainer, store.folder(version));
                        }
                        String what = "non-finite step: " + nonFinite.get() + (restore
                                ? "; weights and optimizer restored to version " + version
                                : "; no update applied, weights unchanged") + ", nothing published";
                        LOG.error("skipped {}: {}", ready.get().ids(), what);
                        refuse(deadLetters, metrics, inputTopic, unit, ready.get(), what);
                        metrics.publish(MetricCatalog.TRAINER_NON_FINITE_STEPS, 1);
                        if (nonFinite.get().contains(NON_FINITE_WEIGHTS)) {
                            metrics.publish(MetricCatalog.TRAINER_PUBLISH_REFUSED, 1);
                        }
                        continue;
                    }
                    step++;
                    stepMetrics.put(MetricCatalog.TRAINER_LEARNING_RATE, learningRate);
                    stepMetrics.put(MetricCatalog.TRAINER_STEP_SECONDS, (System.nanoTime() - now) / 1e9);
                    stepMetrics.put(MetricCatalog.TRAINER_ROLLOUTS_PER_SECOND,
                            stepMetrics.getOrDefault(MetricCatalog.TRAINER_SAMPLES, 0.0)
                            / Math.max((now - lastStepNanos) / 1e9, 1e-9));
                    stepMetrics.put(MetricCatalog.TRAINER_IDLE_SECONDS, (now - lastStepEndNanos) / 1e9);
                    idleFraction = 1 - (double) busyNanos / Math.max(1, now - startNanos);
                    stepMetrics.put(MetricCatalog.TRAINER_IDLE_FRACTION, idleFraction);
                    // Records on the batch topic not read yet: how far the trainer is behind the processors.
                    consumer.currentLag(partition)
                            .ifPresent(lag -> stepMetrics.put(MetricCatalog.TRAINER_LAG_RECORDS, (double) lag));
                    lastStepNanos = now;
                    TrainerState state = new TrainerState(policyName, version + 1, step,
                            List.of(new TrainerState.Position(inputTopic, 0, record.offset() + 1)), checkpointMetrics(stepMetrics),
                            System.currentTimeMillis(), ready.get().ids());
                    Path folder = store.write(policy, state, Map.of("policy_name", policyName,
                            "version", Long.toString(state.version()), "step", Long.toString(step)),
                            trainer.optimizer(), settings);
                    publish(producer, checkpointTopic, folder, state);
                    version = state.version();
                    store.prune(config.getInt(TrainerServiceConfig.KEEP));
                    lastStepEndNanos = System.nanoTime();
                    busyNanos += lastStepEndNanos - now;
                    long v = version;
                    long s = step;
                    stepMetrics.forEach((name, value) -> metrics.publish(name, value, s, v, Map.of()));
                    if (maxSteps > 0 && step >= maxSteps) {
                        break;
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            Thread.currentThread().interrupt();
        }
    }

    static final String NON_FINITE_WEIGHTS = "non-finite weights after the step";

    /**
     * What is non-finite after a step: an update skipped for a non-finite gradient, the loss, or a
     * weight (the check before every checkpoint is written and published); empty when all is finite.
     */
    static Optional<String> nonFinite(PolicyTrainer trainer, long skippedBefore, Map<MetricName, Double> stepMetrics) {
        List<String> problems = new java.util.ArrayList<>();
        if (trainer.skippedUpdates() > skippedBefore) {
            problems.add((trainer.skippedUpdates() - skippedBefore) + " update(s) skipped for a non-finite gradient");
        }
        Double loss = stepMetrics.get(MetricCatalog.TRAINER_LOSS);
        if (loss != null && !Double.isFinite(loss)) {
            problems.add("loss " + loss);
        }
        trainer.nonFiniteParameter().ifPresent(p -> problems.add(NON_FINITE_WEIGHTS + ": " + p));
        return problems.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", problems));
    }

    /** Puts back the weights and Adam's state of a checkpoint (a version with no optimizer file: a fresh one). */
    static void restore(PolicyTrainer trainer, Path checkpoint) {
        trainer.policy().loadWeights(checkpoint);
        Optional<Path> optimizer = CheckpointStore.optimizerFile(checkpoint);
        if (optimizer.isPresent()) {
            trainer.loadOptimizer(optimizer.get());
        } else {
            trainer.optimizer().close();
        }
    }

    /** Every record of a unit not trained becomes a dead letter: its own problem, or the one that sank its unit. */
    private void refuse(KafkaProducer<String, DeadLetter> deadLetters, MetricsPublisher metrics,
            String topic, Map<Long, ConsumerRecord<String, byte[]>> unit, StepInput.Step step, String why) {
        for (Map.Entry<Long, ConsumerRecord<String, byte[]>> entry : unit.entrySet()) {
            // (a record whose bytes are no longer kept is named by its offset alone)
            ConsumerRecord<String, byte[]> r = entry.getValue() != null ? entry.getValue()
                    : new ConsumerRecord<>(topic, 0, entry.getKey(), null, null);
            String own = step.invalid().get(r.offset());
            String reason = own != null ? why + ": " + own + " (" + step.ids() + " not trained)"
                    : why + ": " + step.ids() + " not trained" + (step.invalid().isEmpty() ? ""
                            : " because of its records at offsets " + step.invalid().keySet());
            deadLetter(deadLetters, r, reason, null);
            metrics.publish(MetricCatalog.TRAINER_DEAD_LETTERS, 1);
        }
    }

    private void deadLetter(KafkaProducer<String, DeadLetter> deadLetters, ConsumerRecord<String, byte[]> record,
            String reason, Throwable cause) {
        deadLetters.send(new ProducerRecord<>(catalog.name(Topic.DEAD_LETTERS), record.key(),
                DeadLetters.of(SERVICE, record.topic(), record.partition(), record.offset(),
                        record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8),
                        record.value(), reason, cause)));
    }

    /** The frozen reference policy: the configured folder, else version 0 of this run, else the initial policy. */
    private Policy loadReference(CheckpointStore store) {
        String configured = config.getString(TrainerServiceConfig.REFERENCE);
        Path folder = !configured.isBlank() ? Path.of(configured)
                : store.versions().contains(0L) ? store.folder(0) : Path.of(config.getString(TrainerServiceConfig.INIT));
        LOG.info("reference policy from {}", folder);
        return Policy.load(folder);
    }

    private record Resumed(Policy policy, TrainerState state, long nextOffset, Optional<Path> optimizer) {
    }

    /** Loads the newest checkpoint, or makes version 0 from the initial policy. */
    private Resumed resume(CheckpointStore store, String policyName, Map<String, ?> settings) {
        Optional<Path> latest = store.latest();
        if (latest.isPresent()) {
            TrainerState state = CheckpointStore.readState(latest.get());
            long next = state.offsets().isEmpty() ? -1 : state.offsets().get(0).offset();
            LOG.info("resuming policy {} at version {} (step {}), reading batches from offset {}", policyName,
                    state.version(), state.step(), next);
            return new Resumed(Policy.load(latest.get()).saveAs(config.checkpointDtype()), state, next,
                    CheckpointStore.optimizerFile(latest.get()));
        }
        String init = config.getString(TrainerServiceConfig.INIT);
        if (init.isBlank()) {
            throw new IllegalStateException("no checkpoint in " + store.root() + " and no initial policy: set "
                    + TrainerServiceConfig.INIT + " to a policy checkpoint folder (the demo's warm start writes one)");
        }
        Policy policy = Policy.load(Path.of(init)).saveAs(config.checkpointDtype());
        TrainerState state = new TrainerState(policyName, 0, 0, List.of(), Map.of(), System.currentTimeMillis());
        store.write(policy, state, Map.of("policy_name", policyName, "version", "0", "step", "0"));
        return new Resumed(policy, state, -1, Optional.empty());
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
                .setBatchIds(state.batchIds())
                .setMetrics(state.metrics() == null ? Map.of() : state.metrics())
                .setCreatedAt(Instant.ofEpochMilli(state.createdAtMillis()))
                .build();
        try {
            producer.send(new ProducerRecord<>(topic, state.policyName(), event)).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish checkpoint " + state.version() + " to " + topic, e);
        }
    }

    /**
     * Runs the trainer until the process is stopped. Argument: an optional properties file;
     * RLSTREAM_* variables override it.
     */
    public static void main(String[] args) throws InterruptedException {
        // Avro refuses to load generated classes from untrusted packages (ClassSecurityValidator).
        System.getProperties().putIfAbsent("org.apache.avro.SERIALIZABLE_PACKAGES", "io.rlstream.events");
        TrainerServiceConfig config = new TrainerServiceConfig(io.rlstream.config.ServiceConfig.read(
                args.length > 0 ? Path.of(args[0]) : null, System.getenv(), TrainerServiceConfig.DEFINITION));
        TrainerService service = new TrainerService(config);
        Thread thread = new Thread(service, "trainer");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.stop();
            try {
                thread.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "trainer-shutdown"));
        thread.start();
        thread.join();
    }

    public void stop() {
        running.set(false);
    }

    @Override
    public void close() {
        stop();
    }

    /** The step's metrics as the checkpoint records them: by name within the trainer ("loss", not "trainer.loss"). */
    static Map<String, Double> checkpointMetrics(Map<MetricName, Double> stepMetrics) {
        Map<String, Double> out = new LinkedHashMap<>();
        stepMetrics.forEach((name, value) -> out.put(name.localName(), value));
        return out;
    }
}
