package io.rlstream.processors.dispatch;

import io.rlstream.deadletter.DeadLetters;
import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.DeadLetter;
import io.rlstream.events.DispatcherState;
import io.rlstream.events.InFlightGroup;
import io.rlstream.events.Prompt;
import io.rlstream.events.PromptDispatch;
import io.rlstream.events.PromptDispatchCount;
import io.rlstream.events.PromptSelection;
import io.rlstream.events.PromptStats;
import io.rlstream.events.TopicPartitionOffset;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.monitoring.health.Health;
import io.rlstream.monitoring.metrics.MetricCatalog;
import io.rlstream.monitoring.metrics.MetricsPublisher;
import io.rlstream.processors.curriculum.Choice;
import io.rlstream.processors.curriculum.GroupOutcome;
import io.rlstream.processors.curriculum.PromptPool;
import io.rlstream.processors.curriculum.PromptSelector;
import io.rlstream.processors.curriculum.PromptView;
import io.rlstream.processors.config.ProcessorsConfig;
import io.rlstream.schemas.SerdeFactory;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what the generators sample next: reads the prompt pool (rl.prompts), the latest trained
 * policy version (rl.checkpoints), groups resolved by the grouping app (rl.prompt-stats) and
 * batches written (rl.training-batches), and dispatches the prompts its {@link PromptSelector}
 * chooses (uniform, pass-rate window, difficulty pools, PCL) as {@link PromptDispatch} records on
 * rl.prompt-dispatch, keyed by a fresh group_id, while its {@link AdmissionPolicy} admits them.
 * The selector learns from every completed group on rl.prompt-stats; its view of each prompt it
 * chooses or learns about goes to the compacted rl.prompt-selection ({@link PromptSelection}),
 * which `rlstream prompts top|show` query, and its counters go to the metrics topic.
 *
 * <p>Plain clients, one thread: a consumer assigned to every partition of its input topics (no
 * consumer group, read_committed, new partitions picked up as they appear) and an idempotent
 * producer. Nothing is kept locally. Every {@code dispatch.state.interval.ms} it writes its state
 * to the compacted rl.dispatcher-state ({@link DispatcherState}: dispatch counts per prompt, the
 * groups in flight, and the offsets of rl.prompt-dispatch, rl.checkpoints and rl.training-batches
 * those counts cover). A restart reads the latest state, the dispatches written after it, and
 * rl.checkpoints and rl.training-batches from the stored offsets: O(prompts + groups in flight +
 * records since the state), not the whole history (issue 19). The compacted rl.prompts and
 * rl.prompt-stats are read from the beginning (O(prompts)): resolved and kept counts per prompt,
 * and the selector relearns what the statistics say. Without a usable state (a cluster from before
 * the state topic, or a recreated dispatch topic) it reads all of rl.prompt-dispatch and its inputs
 * from the beginning once, as it always did, and writes a state from then on. It dispatches
 * nothing, and gives up on no group, until it has read every input up to where it ended at start:
 * decisions on half-read counts would be wrong either way. Group ids are
 * {@code <run token>-<n>}, the run token random per process, so they stay unique across restarts.
 *
 * <p>Run it on a thread; {@link #stop()} ends {@link #run()} and closes the clients.
 */
public final class Dispatcher implements Runnable, Health.Readiness {

    /** Service name in dead letters and metrics. */
    public static final String SERVICE = "dispatcher";
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final long PARTITION_REFRESH_MS = 5_000;
    /** Key of the state record on rl.dispatcher-state. */
    static final String STATE_KEY = "dispatcher";
    /** A restart looks for the latest state among this many last records of the state topic. */
    private static final int STATE_LOOKBACK = 16;

    private final DispatchSettings settings;
    private final AdmissionPolicy admission;
    private final Consumer<String, byte[]> consumer;
    private final Producer<String, byte[]> producer;
    private final MetricsPublisher metrics;
    private final long metricsIntervalMs;
    private final String promptsTopic;
    private final String checkpointsTopic;
    private final String promptStatsTopic;
    private final String batchesTopic;
    private final String dispatchTopic;
    private final String deadLettersTopic;
    private final Deserializer<?> prompts;
    private final Deserializer<?> checkpoints;
    private final Deserializer<?> promptStats;
    private final Deserializer<?> dispatches;
    private final Deserializer<?> batches;
    private final Serializer<PromptDispatch> dispatchBytes;
    private final Serializer<DeadLetter> deadLetterBytes;
    private final Serializer<PromptSelection> selectionBytes;
    private final String selectionTopic;
    private final String stateTopic;
    private final Serializer<DispatcherState> stateBytes;
    private final Deserializer<?> states;
    private final long stateIntervalMs;
    /** Per partition of rl.prompt-dispatch, the offset after the last dispatch the counts include. */
    private final Map<Integer, Long> dispatchOffsets = new TreeMap<>();
    /** Where to start reading an input partition when it is assigned (from a restored state); else its beginning. */
    private final Map<TopicPartition, Long> resumeAt = new HashMap<>();
    /** Until caught up: the end of each input partition when it was first assigned. */
    private final Map<TopicPartition, Long> catchUpEnd = new HashMap<>();
    private final Map<String, Long> recordsAtStart = new TreeMap<>();
    private volatile boolean caughtUp;
    private volatile boolean saveOnStop = true;
    private boolean stateTopicExists;
    private boolean stateTopicMissingLogged;
    private boolean readHistory;
    private boolean fromState;
    private long startedMs;
    private long nextStateWrite;
    private List<Object> lastStateWritten = List.of();
    private volatile Restart restart;
    private final PromptSelector selector;
    private final Map<String, Long> selectedByPrompt = new HashMap<>();
    private final String runToken;
    private final Random random;

    private final PromptPool pool = new PromptPool();
    private final InFlightGroups groups;
    private long policyVersion;
    private long batchesWritten;
    /** The trainer's position on rl.training-batches, from its newest announcement's offsets. */
    private long trainerPosition;
    /** Batches that start before {@link #trainerPosition}: trained or refused. */
    private long batchesConsumed;
    /** Where the counted batches not yet consumed start, in offset order. */
    private final ArrayDeque<Long> pendingBatchStarts = new ArrayDeque<>();
    private long deadLetters;
    private String lastBatchId;
    private long nextGroup;
    private long nextPartitionRefresh;
    private long nextMetrics;
    private boolean waitingLogged;
    private volatile boolean stopped;
    private volatile Snapshot snapshot = new Snapshot(0, 0, 0, 0, 0);
    private volatile Map<String, Object> selectorStatus = Map.of();

    /**
     * How the last start went: whether it restored a state (else it read the whole history), the
     * records it read per topic until it had caught up with every input, and how long that took.
     */
    public record Restart(boolean fromState, Map<String, Long> recordsRead, long millis, Counts counts) {

        /** Records read before the first dispatch, over all topics. */
        public long totalRecords() {
            return recordsRead.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * What the dispatcher knew when it had caught up, before its first decision: groups dispatched,
     * resolved and in flight, the policy version, batches written, and dispatches per prompt.
     */
    public record Counts(long dispatched, long completed, long inFlight, long policyVersion, long batchesWritten,
            Map<String, Long> selected) {
    }

    /** Counts readable from other threads while the dispatcher runs. */
    public record Snapshot(long dispatched, long completed, long inFlight, int promptPool, long policyVersion) {
    }

    /** A dispatcher for a deployment: Kafka clients and registry serdes from the config. */
    public Dispatcher(ProcessorsConfig config, MetricsPublisher metrics) {
        this(DispatchSettings.from(config), config.selector(), config.clientProps(), config.catalog(), config.serdes(),
                metrics, config.getLong(ProcessorsConfig.METRICS_INTERVAL_MS), config.getLong(ProcessorsConfig.STATE_INTERVAL_MS));
    }

    /**
     * @param clientProps Kafka client settings (bootstrap servers, security, ...)
     * @param metrics     where to publish counters, or null for none
     */
    public Dispatcher(DispatchSettings settings, PromptSelector selector, Map<String, Object> clientProps,
            TopicCatalog catalog, SerdeFactory serdes, MetricsPublisher metrics, long metricsIntervalMs) {
        this(settings, selector, clientProps, catalog, serdes, metrics, metricsIntervalMs, 5_000);
    }

    /** @param stateIntervalMs how often to write the state to rl.dispatcher-state */
    public Dispatcher(DispatchSettings settings, PromptSelector selector, Map<String, Object> clientProps,
            TopicCatalog catalog, SerdeFactory serdes, MetricsPublisher metrics, long metricsIntervalMs,
            long stateIntervalMs) {
        this(settings, settings.admission(), selector, catalog, serdes,
                new KafkaConsumer<>(consumerProps(clientProps), new StringDeserializer(), new ByteArrayDeserializer()),
                new KafkaProducer<>(producerProps(clientProps), new StringSerializer(), new ByteArraySerializer()),
                metrics, metricsIntervalMs, UUID.randomUUID().toString().substring(0, 8), stateIntervalMs);
    }

    /** With given clients (tests pass Kafka's mock clients). */
    Dispatcher(DispatchSettings settings, AdmissionPolicy admission, PromptSelector selector, TopicCatalog catalog,
            SerdeFactory serdes, Consumer<String, byte[]> consumer, Producer<String, byte[]> producer,
            MetricsPublisher metrics, long metricsIntervalMs, String runToken) {
        this(settings, admission, selector, catalog, serdes, consumer, producer, metrics, metricsIntervalMs, runToken,
                5_000);
    }

    Dispatcher(DispatchSettings settings, AdmissionPolicy admission, PromptSelector selector, TopicCatalog catalog,
            SerdeFactory serdes, Consumer<String, byte[]> consumer, Producer<String, byte[]> producer,
            MetricsPublisher metrics, long metricsIntervalMs, String runToken, long stateIntervalMs) {
        this.settings = settings;
        this.admission = admission;
        this.selector = selector;
        this.groups = new InFlightGroups(settings.generationTimeoutMs());
        this.consumer = consumer;
        this.producer = producer;
        this.metrics = metrics;
        this.metricsIntervalMs = metricsIntervalMs;
        this.promptsTopic = catalog.name(Topic.PROMPTS);
        this.checkpointsTopic = catalog.name(Topic.CHECKPOINTS);
        this.promptStatsTopic = catalog.name(Topic.PROMPT_STATS);
        this.batchesTopic = catalog.name(Topic.TRAINING_BATCHES);
        this.dispatchTopic = catalog.name(Topic.PROMPT_DISPATCH);
        this.deadLettersTopic = catalog.name(Topic.DEAD_LETTERS);
        this.prompts = serdes.serde(Prompt.class).deserializer();
        this.checkpoints = serdes.serde(CheckpointPublished.class).deserializer();
        this.promptStats = serdes.serde(PromptStats.class).deserializer();
        this.dispatches = serdes.serde(PromptDispatch.class).deserializer();
        this.batches = serdes.serde(TrainingBatchGroup.class).deserializer();
        this.dispatchBytes = serdes.serde(PromptDispatch.class).serializer();
        this.deadLetterBytes = serdes.serde(DeadLetter.class).serializer();
        this.selectionBytes = serdes.serde(PromptSelection.class).serializer();
        this.selectionTopic = catalog.name(Topic.PROMPT_SELECTION);
        this.stateTopic = catalog.name(Topic.DISPATCHER_STATE);
        this.stateBytes = serdes.serde(DispatcherState.class).serializer();
        this.states = serdes.serde(DispatcherState.class).deserializer();
        if (stateIntervalMs < 1) {
            throw new IllegalArgumentException("the state interval must be >= 1 ms, got " + stateIntervalMs);
        }
        this.stateIntervalMs = stateIntervalMs;
        this.runToken = runToken;
        this.random = new Random(settings.seed());
    }

    static Map<String, Object> consumerProps(Map<String, Object> clientProps) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, SERVICE);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Looking up a missing topic must not create it with the broker's default partition count.
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return props;
    }

    static Map<String, Object> producerProps(Map<String, Object> clientProps) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, SERVICE);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return props;
    }

    @Override
    public void run() {
        try {
            catchUp();
            LOG.info("dispatcher {} starting: {} groups dispatched before ({}), G={}, max in flight {}, selector {}; "
                    + "reading the inputs before dispatching", runToken, groups.dispatched(),
                    fromState ? "from the state on " + stateTopic : "from all of " + dispatchTopic,
                    settings.groupSize(), settings.maxInFlightGroups(), selector.name());
            while (!stopped) {
                step();
            }
        } catch (WakeupException e) {
            if (!stopped) {
                throw e;
            }
        } finally {
            if (caughtUp && saveOnStop) {
                finalState();
            }
            publishMetrics();
            consumer.close();
            producer.close();
        }
    }

    /**
     * Binds the dispatcher's consumer and producer metrics (Micrometer's KafkaClientMetrics)
     * into {@code registry}; closing the result removes them.
     */
    public AutoCloseable bindClientMetrics(io.micrometer.core.instrument.MeterRegistry registry) {
        AutoCloseable consumerMeters = io.rlstream.monitoring.prometheus.KafkaMeters.bind(registry, consumer);
        AutoCloseable producerMeters = io.rlstream.monitoring.prometheus.KafkaMeters.bind(registry, producer);
        return () -> {
            consumerMeters.close();
            producerMeters.close();
        };
    }

    /** Ends {@link #run()} soon; safe from any thread. */
    public void stop() {
        stopped = true;
        consumer.wakeup();
    }

    /** Stops like a killed process as far as the topics tell: no final state (tests of restarts after a crash). */
    void stopWithoutSaving() {
        saveOnStop = false;
        stop();
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    /** The prompt selector; read it only from the dispatcher's thread or after {@link #run()} returned. */
    public PromptSelector selector() {
        return selector;
    }

    /** The selector's name and counters as of the last round, readable from any thread (the query server's /selector). */
    public Map<String, Object> selectorStatus() {
        return selectorStatus;
    }

    /** Records sent to rl.dead-letters by this run (read on the dispatcher's thread, or after it ends). */
    long deadLetters() {
        return deadLetters;
    }

    /**
     * Makes the next start ignore rl.dispatcher-state and read all of rl.prompt-dispatch and the
     * inputs from the beginning: what every start did before the state topic (the reference the
     * restart test and benchmark compare with). Such a dispatcher only reads: it dispatches
     * nothing, gives up on nothing and writes no state.
     */
    void readHistory() {
        readHistory = true;
    }

    /** How the start went, once the dispatcher has caught up with its inputs; null before. */
    public Restart restart() {
        return restart;
    }

    /** Training batches counted on rl.training-batches (read on the dispatcher's thread, or after it ends). */
    long batchesWritten() {
        return batchesWritten;
    }

    /** Dispatches per prompt over all runs (the selection topic's selected), for tests. */
    Map<String, Long> selectedByPrompt() {
        return Map.copyOf(selectedByPrompt);
    }

    /**
     * Learns what this and earlier runs dispatched: the latest state on rl.dispatcher-state and the
     * dispatches after its offsets, or, without a usable state, all of rl.prompt-dispatch.
     */
    void catchUp() {
        startedMs = System.currentTimeMillis();
        List<TopicPartition> parts = partitions(dispatchTopic);
        Map<TopicPartition, Long> from = new HashMap<>();
        DispatcherState state = readHistory ? null : latestState();
        if (state != null && restore(state, parts)) {
            fromState = true;
            for (TopicPartition tp : parts) {
                from.put(tp, state.getDispatchOffsets().getOrDefault(Integer.toString(tp.partition()), 0L));
            }
        } else if (!readHistory && !parts.isEmpty()) {
            LOG.info("no usable dispatcher state on {}: reading all of {} once (the state is written from now on)",
                    stateTopic, dispatchTopic);
        }
        if (parts.isEmpty()) {
            return;
        }
        consumer.assign(parts);
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(parts);
        for (TopicPartition tp : parts) {
            Long at = from.get(tp);
            if (at == null || at <= begin.get(tp)) {
                consumer.seek(tp, begin.get(tp));
            } else {
                consumer.seek(tp, at);
            }
        }
        Map<TopicPartition, Long> end = consumer.endOffsets(parts);
        long read = 0;
        while (!stopped && parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
            for (ConsumerRecord<String, byte[]> rec : consumer.poll(POLL)) {
                read++;
                PromptDispatch d = decode(rec, dispatches, PromptDispatch.class);
                if (d != null) {
                    groups.dispatched(d.getGroupId(), d.getPromptId(), d.getDispatchedAt().toEpochMilli());
                    selectedByPrompt.merge(d.getPromptId(), 1L, Long::sum);
                }
            }
        }
        for (TopicPartition tp : parts) {
            dispatchOffsets.put(tp.partition(), Math.max(dispatchOffsets.getOrDefault(tp.partition(), 0L), end.get(tp)));
        }
        recordsAtStart.merge(dispatchTopic, read, Long::sum);
        consumer.assign(List.of());
    }

    /** The latest decodable state among the last records of rl.dispatcher-state, or null. */
    private DispatcherState latestState() {
        List<TopicPartition> parts = partitions(stateTopic);
        if (parts.isEmpty()) {
            return null;
        }
        consumer.assign(parts);
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(parts);
        Map<TopicPartition, Long> end = consumer.endOffsets(parts);
        for (TopicPartition tp : parts) {
            consumer.seek(tp, Math.max(begin.get(tp), end.get(tp) - STATE_LOOKBACK));
        }
        // the last decodable record in offset order: one writer at a time, so the newest (not the
        // latest written_at, which another host's clock could put behind)
        DispatcherState latest = null;
        long read = 0;
        while (!stopped && parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
            for (ConsumerRecord<String, byte[]> rec : consumer.poll(POLL)) {
                read++;
                if (rec.value() == null) {
                    latest = null; // a tombstone resets the state: read the whole history once
                    continue;
                }
                DispatcherState s = decode(rec, states, DispatcherState.class);
                if (s != null) {
                    latest = s;
                }
            }
        }
        recordsAtStart.merge(stateTopic, read, Long::sum);
        consumer.assign(List.of());
        return latest;
    }

    /**
     * Takes a saved state, unless its offsets lie beyond the ends of the topics (topics deleted and
     * recreated since): then counting the dispatches again from the beginning is the only truth.
     */
    private boolean restore(DispatcherState state, List<TopicPartition> dispatchParts) {
        Map<TopicPartition, Long> stored = new HashMap<>();
        for (TopicPartition tp : dispatchParts) {
            stored.put(tp, state.getDispatchOffsets().getOrDefault(Integer.toString(tp.partition()), 0L));
        }
        Map<TopicPartition, Long> resume = new HashMap<>();
        state.getCheckpointsOffsets().forEach((p, o) -> resume.put(new TopicPartition(checkpointsTopic, Integer.parseInt(p)), o));
        state.getBatchesOffsets().forEach((p, o) -> resume.put(new TopicPartition(batchesTopic, Integer.parseInt(p)), o));
        Map<TopicPartition, Long> all = new HashMap<>(stored);
        all.putAll(resume);
        Map<TopicPartition, Long> ends = all.isEmpty() ? Map.of() : consumer.endOffsets(all.keySet());
        for (Map.Entry<TopicPartition, Long> e : all.entrySet()) {
            Long endNow = ends.get(e.getKey());
            if (endNow == null || e.getValue() > endNow) {
                LOG.warn("the dispatcher state on {} says {} was read up to offset {}, but it ends at {} (recreated?): "
                        + "ignoring the state", stateTopic, e.getKey(), e.getValue(), endNow);
                return false;
            }
        }
        Map<String, Long> dispatchedBy = new HashMap<>();
        Map<String, Long> lostBy = new HashMap<>();
        for (PromptDispatchCount c : state.getPrompts()) {
            if (c.getDispatched() > 0) {
                dispatchedBy.put(c.getPromptId(), c.getDispatched());
            }
            if (c.getLost() > 0) {
                lostBy.put(c.getPromptId(), c.getLost());
            }
            if (c.getSelected() > 0) {
                selectedByPrompt.put(c.getPromptId(), c.getSelected());
            }
        }
        List<InFlightGroups.Pending> open = new ArrayList<>();
        for (InFlightGroup g : state.getInFlight()) {
            open.add(new InFlightGroups.Pending(g.getPromptId(), g.getOrdinal(), g.getDispatchedAt().toEpochMilli()));
        }
        groups.restore(new InFlightGroups.Saved(state.getDispatched(), dispatchedBy, lostBy, open));
        policyVersion = state.getPolicyVersion();
        batchesWritten = state.getBatchesWritten();
        lastBatchId = state.getLastBatchId();
        trainerPosition = state.getTrainerPosition();
        batchesConsumed = state.getBatchesConsumed();
        pendingBatchStarts.clear();
        pendingBatchStarts.addAll(state.getPendingBatchStarts());
        resumeAt.putAll(resume);
        return true;
    }

    /** Writes the state a restart restores; an observation of what is already on the topics, so a failure is only logged. */
    private void writeState() {
        if (!stateTopicExists || readHistory) {
            return;
        }
        InFlightGroups.Saved saved = groups.saved();
        List<PromptDispatchCount> prompts = new ArrayList<>();
        for (String prompt : new TreeSet<>(union(saved.dispatchedByPrompt().keySet(), selectedByPrompt.keySet()))) {
            prompts.add(PromptDispatchCount.newBuilder().setPromptId(prompt)
                    .setDispatched(saved.dispatchedByPrompt().getOrDefault(prompt, 0L))
                    .setLost(saved.lostByPrompt().getOrDefault(prompt, 0L))
                    .setSelected(selectedByPrompt.getOrDefault(prompt, 0L)).build());
        }
        List<InFlightGroup> open = new ArrayList<>();
        for (InFlightGroups.Pending p : saved.inFlight()) {
            open.add(InFlightGroup.newBuilder().setPromptId(p.promptId()).setOrdinal(p.ordinal())
                    .setDispatchedAt(Instant.ofEpochMilli(p.dispatchedAtMs())).build());
        }
        Map<String, Long> dispatchAt = new LinkedHashMap<>();
        dispatchOffsets.forEach((p, o) -> dispatchAt.put(Integer.toString(p), o));
        DispatcherState state = DispatcherState.newBuilder()
                .setDispatched(saved.dispatched())
                .setPrompts(prompts)
                .setInFlight(open)
                .setDispatchOffsets(dispatchAt)
                .setCheckpointsOffsets(positions(checkpointsTopic))
                .setBatchesOffsets(positions(batchesTopic))
                .setPolicyVersion(policyVersion)
                .setBatchesWritten(batchesWritten)
                .setLastBatchId(lastBatchId)
                .setTrainerPosition(trainerPosition)
                .setBatchesConsumed(batchesConsumed)
                .setPendingBatchStarts(new ArrayList<>(pendingBatchStarts))
                .setRunToken(runToken)
                .setWrittenAt(Instant.now())
                .build();
        try {
            producer.send(new ProducerRecord<>(stateTopic, STATE_KEY, stateBytes.serialize(stateTopic, state))).get();
        } catch (ExecutionException e) {
            LOG.warn("could not write the dispatcher state to {}: {}; a restart reads more history", stateTopic,
                    e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = true;
        }
    }

    /** A clean stop leaves nothing to read after the state; the stop's wakeup may still be pending once. */
    private void finalState() {
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                writeState();
                return;
            } catch (WakeupException e) {
                // the stop's wakeup, consumed now; try once more
            } catch (RuntimeException e) {
                LOG.warn("could not write the dispatcher state on stopping: {}", e.toString());
                return;
            }
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new HashSet<>(a);
        out.addAll(b);
        return out;
    }

    /** The consumer's next offset on each assigned partition of a topic, by partition number. */
    private Map<String, Long> positions(String topic) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (TopicPartition tp : consumer.assignment()) {
            if (tp.topic().equals(topic)) {
                out.put(Integer.toString(tp.partition()), consumer.position(tp));
            }
        }
        return out;
    }

    /** One round: follow the inputs, then dispatch what the admission policy admits. */
    void step() {
        long now = System.currentTimeMillis();
        if (now >= nextPartitionRefresh) {
            refreshAssignment();
            nextPartitionRefresh = now + PARTITION_REFRESH_MS;
        }
        for (ConsumerRecord<String, byte[]> rec : consumer.poll(POLL)) {
            if (!caughtUp) {
                recordsAtStart.merge(rec.topic(), 1L, Long::sum);
            }
            apply(rec);
        }
        if (!caughtUp && !(caughtUp = caughtUp())) {
            // Half-read inputs give wrong counts both ways (in flight before the statistics, batches
            // written before rl.training-batches): nothing is dispatched nor given up on until then.
            return;
        }
        if (readHistory) {
            return;
        }
        if (now >= nextStateWrite) {
            // only when something a restart restores has changed (the state grows with the prompt pool)
            List<Object> changes = List.of(groups.dispatched(), groups.lost(), policyVersion, batchesWritten,
                    batchesConsumed, positions(checkpointsTopic), positions(batchesTopic));
            if (!changes.equals(lastStateWritten)) {
                writeState();
                lastStateWritten = changes;
            }
            nextStateWrite = now + stateIntervalMs;
        }
        int given = groups.expire(now);
        if (given > 0) {
            LOG.warn("gave up on {} dispatched groups with no trace after {} ms (lost generations; {} in all): they no "
                    + "longer count as in flight", given, settings.generationTimeoutMs(), groups.lost());
        }
        dispatch();
        snapshot = new Snapshot(groups.dispatched(), groups.completed(), groups.inFlight(), pool.size(), policyVersion);
        Map<String, Object> status = new java.util.LinkedHashMap<>();
        status.put("selector", selector.name());
        status.put("policy_version", policyVersion);
        status.put("prompt_pool", pool.size());
        status.put("dispatched", groups.dispatched());
        status.put("in_flight", groups.inFlight());
        status.put("metrics", new java.util.TreeMap<>(selector.metrics()));
        selectorStatus = status;
        if (metrics != null && now >= nextMetrics) {
            publishMetrics();
            nextMetrics = now + metricsIntervalMs;
        }
    }

    /** Ready once its inputs are read to where they ended at start: before that it dispatches nothing. */
    @Override
    public boolean ready() {
        return caughtUp;
    }

    /**
     * Whether every input partition has been read up to where it ended when first assigned; logs
     * what the start read and how long it took the first time it is.
     */
    private boolean caughtUp() {
        for (Map.Entry<TopicPartition, Long> e : catchUpEnd.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        long millis = System.currentTimeMillis() - startedMs;
        Map<String, Long> read = new TreeMap<>(recordsAtStart);
        restart = new Restart(fromState, Map.copyOf(read), millis, new Counts(groups.dispatched(), groups.completed(),
                groups.inFlight(), policyVersion, batchesWritten, Map.copyOf(selectedByPrompt)));
        LOG.info("dispatcher {} caught up in {} ms ({}): {} groups in flight of {} dispatched, {} resolved, {} lost; "
                + "policy v{}, {} batches written; records read {}", runToken, millis,
                fromState ? "restored from " + stateTopic : "read the whole history", groups.inFlight(),
                groups.dispatched(), groups.completed(), groups.lost(), policyVersion, batchesWritten, read);
        return true;
    }

    /** Assigns every partition of the input topics, new ones from their beginning (or a restored offset). */
    private void refreshAssignment() {
        // Sending to a missing topic would block for max.block.ms (or create it without compaction).
        stateTopicExists = !partitions(stateTopic).isEmpty();
        if (!stateTopicExists && !stateTopicMissingLogged) {
            LOG.warn("{} does not exist: the dispatcher cannot save its state, and every restart reads all of {}; "
                    + "create it with the other topics (TopicAdmin.createTopics, docs/architecture.md#topics)",
                    stateTopic, dispatchTopic);
            stateTopicMissingLogged = true;
        }
        Set<TopicPartition> current = new HashSet<>(consumer.assignment());
        List<TopicPartition> added = new ArrayList<>();
        for (String topic : List.of(promptsTopic, checkpointsTopic, promptStatsTopic, batchesTopic)) {
            for (TopicPartition tp : partitions(topic)) {
                if (current.add(tp)) {
                    added.add(tp);
                }
            }
        }
        if (!added.isEmpty()) {
            consumer.assign(current);
            List<TopicPartition> fromBeginning = new ArrayList<>();
            for (TopicPartition tp : added) {
                Long at = resumeAt.remove(tp);
                if (at == null) {
                    fromBeginning.add(tp);
                } else {
                    consumer.seek(tp, at);
                }
            }
            consumer.seekToBeginning(fromBeginning);
            LOG.info("reading {} from the beginning{}", fromBeginning, added.size() > fromBeginning.size()
                    ? ", the other inputs from the restored offsets" : "");
            if (!caughtUp) {
                catchUpEnd.putAll(consumer.endOffsets(added));
            }
        }
    }

    private List<TopicPartition> partitions(String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic);
        List<TopicPartition> out = new ArrayList<>();
        if (infos != null) {
            infos.forEach(i -> out.add(new TopicPartition(i.topic(), i.partition())));
        }
        return out;
    }

    private void apply(ConsumerRecord<String, byte[]> rec) {
        if (rec.topic().equals(promptsTopic)) {
            if (rec.value() == null) {
                if (rec.key() != null) {
                    pool.remove(rec.key());
                }
                return;
            }
            Prompt p = decode(rec, prompts, Prompt.class);
            String invalid = p == null ? null : DispatchInputs.invalid(p);
            if (invalid != null) {
                deadLetter(rec, invalid, null);
            } else if (p != null) {
                pool.put(p);
            }
        } else if (rec.topic().equals(checkpointsTopic)) {
            CheckpointPublished c = decode(rec, checkpoints, CheckpointPublished.class);
            String invalid = c == null ? null : DispatchInputs.invalid(c);
            if (invalid != null) {
                deadLetter(rec, invalid, null);
            } else if (c != null) {
                policyVersion = Math.max(policyVersion, c.getVersion());
                trainerRead(c);
            }
        } else if (rec.topic().equals(batchesTopic)) {
            // A batch's records are contiguous (one transaction, one partition) and keyed by its
            // id, so a change of key is a new batch. Only a new batch's first record is decoded, to
            // check that it is one (a record of another type or no key must not count as a batch).
            if (rec.key() == null) {
                deadLetter(rec, "record has no key where a TrainingBatchGroup keyed by its batch id was expected", null);
            } else if (!rec.key().equals(lastBatchId) && decode(rec, batches, TrainingBatchGroup.class) != null) {
                lastBatchId = rec.key();
                batchesWritten++;
                if (rec.partition() == 0 && rec.offset() < trainerPosition) {
                    batchesConsumed++;
                } else {
                    pendingBatchStarts.addLast(rec.offset());
                }
            }
        } else if (rec.topic().equals(promptStatsTopic)) {
            PromptStats stats = decode(rec, promptStats, PromptStats.class);
            String invalid = stats == null ? null : DispatchInputs.invalid(stats);
            if (invalid != null) {
                deadLetter(rec, invalid, null);
            } else if (stats != null) {
                groups.promptResolved(stats.getPromptId(), stats.getGroups(), stats.getKeptGroups());
                learn(stats);
            }
        }
    }

    /**
     * The trainer reads partition 0 of rl.training-batches and announces how far with every version:
     * batches starting before that are done with, trained or refused (a refused one makes no version).
     */
    private void trainerRead(CheckpointPublished c) {
        for (TopicPartitionOffset o : c.getOffsets()) {
            if (o.getTopic().toString().equals(batchesTopic) && o.getPartition() == 0 && o.getOffset() > trainerPosition) {
                trainerPosition = o.getOffset();
            }
        }
        while (!pendingBatchStarts.isEmpty() && pendingBatchStarts.peekFirst() < trainerPosition) {
            pendingBatchStarts.removeFirst();
            batchesConsumed++;
        }
    }

    private void dispatch() {
        int admitted = admission.admissible(new DispatchState(groups.dispatched(), groups.completed(), policyVersion,
                batchesWritten, groups.accepted(), groups.lost(), batchesConsumed));
        if (admitted <= 0) {
            return;
        }
        if (pool.isEmpty()) {
            if (!waitingLogged) {
                LOG.info("no prompts on {} yet; waiting for some before dispatching", promptsTopic);
                waitingLogged = true;
            }
            return;
        }
        List<String> ids = new ArrayList<>(admitted);
        List<String> promptIds = new ArrayList<>(admitted);
        List<Future<RecordMetadata>> sends = new ArrayList<>(admitted);
        for (Choice choice : selector.choose(admitted, pool, this::promptInFlight, random)) {
            Prompt prompt = choice.prompt();
            String groupId = runToken + "-" + nextGroup++;
            PromptDispatch d = PromptDispatch.newBuilder()
                    .setGroupId(groupId)
                    .setPromptId(prompt.getPromptId())
                    .setPromptText(prompt.getText())
                    .setGroupSize(settings.groupSize())
                    .setTemperature(settings.temperature())
                    .setMaxNewTokens(settings.maxNewTokens())
                    .setPolicyVersion(policyVersion)
                    .setDispatchedAt(Instant.now())
                    .setMessages(prompt.getMessages())
                    .build();
            groups.dispatched(groupId, prompt.getPromptId(), d.getDispatchedAt().toEpochMilli());
            ids.add(groupId);
            promptIds.add(prompt.getPromptId());
            sends.add(producer.send(new ProducerRecord<>(dispatchTopic, groupId, dispatchBytes.serialize(dispatchTopic, d))));
            selector.dispatched(groupId, choice);
            long selected = selectedByPrompt.merge(prompt.getPromptId(), 1L, Long::sum);
            publishView(prompt.getPromptId(), prompt.getText(), choice.view(), selected);
        }
        producer.flush();
        for (int i = 0; i < sends.size(); i++) {
            try {
                RecordMetadata meta = sends.get(i).get();
                if (meta.hasOffset()) {
                    dispatchOffsets.merge(meta.partition(), meta.offset() + 1, Math::max);
                }
            } catch (ExecutionException e) {
                groups.cancelled(ids.get(i), promptIds.get(i));
                LOG.error("could not dispatch group {} to {}: {}; it is not counted as in flight", ids.get(i),
                        dispatchTopic, e.getCause().toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopped = true;
                return;
            }
        }
    }

    /**
     * Whether a prompt has a group dispatched and not yet resolved: its dispatches (from
     * rl.prompt-dispatch, across restarts) outnumber its resolved groups (its latest statistics)
     * and the groups given up on.
     */
    private boolean promptInFlight(String promptId) {
        return groups.inFlight(promptId);
    }

    /** Feeds one prompt's new statistics (one completed group) to the selector and publishes its view. */
    private void learn(PromptStats stats) {
        GroupOutcome outcome = GroupOutcome.of(stats);
        Prompt prompt = pool.get(stats.getPromptId());
        selector.observe(outcome, prompt);
        String text = prompt == null ? null : prompt.getText();
        publishView(stats.getPromptId(), text, selector.view(stats.getPromptId(), text),
                selectedByPrompt.getOrDefault(stats.getPromptId(), 0L));
    }

    /** The selector's view of a prompt on the compacted selection topic; an observation, so a failed send is only logged. */
    private void publishView(String promptId, String text, PromptView view, long selected) {
        PromptSelection s = PromptSelection.newBuilder()
                .setPromptId(promptId)
                .setText(text == null ? "" : text)
                .setSelector(selector.name())
                .setGroups(view.groups())
                .setEstimate(view.estimate())
                .setLastGroupMeanReward(view.lastMeanReward())
                .setPrediction(view.prediction())
                .setPredictionError(view.predictionError())
                .setValueModelUpdates(view.valueModelUpdates())
                .setValueModelPolicyVersion(view.valueModelPolicyVersion())
                .setPool(view.pool())
                .setSelected(selected)
                .setPolicyVersion(policyVersion)
                .setUpdatedAt(Instant.now())
                .build();
        producer.send(new ProducerRecord<>(selectionTopic, promptId, selectionBytes.serialize(selectionTopic, s)),
                (meta, e) -> {
                    if (e != null) {
                        LOG.warn("could not publish the selection state of {} to {}: {}", promptId, selectionTopic, e.toString());
                    }
                });
    }

    /**
     * The record's value as a {@code type}, or null after a dead letter. The deserializer's result
     * is checked, not cast: a registry deserializer returns the class of the writer's schema, so
     * another event's bytes (valid framing, another schema) decode to another type (issue 19).
     */
    private <T> T decode(ConsumerRecord<String, byte[]> rec, Deserializer<?> deserializer, Class<T> type) {
        String name = type.getSimpleName();
        String error;
        Throwable cause = null;
        if (rec.value() == null) {
            error = "record has no value (tombstone) where a " + name + " was expected";
        } else {
            try {
                Object value = deserializer.deserialize(rec.topic(), rec.headers(), rec.value());
                if (type.isInstance(value)) {
                    return type.cast(value);
                }
                error = value == null ? "decoded to null where a " + name + " was expected"
                        : "decoded a " + typeName(value) + " where a " + name + " was expected (wrong schema on "
                                + rec.topic() + ")";
            } catch (RuntimeException e) {
                error = "cannot decode " + rec.value().length + " bytes as a " + name + ": " + e.getMessage();
                cause = e;
            }
        }
        deadLetter(rec, error, cause);
        return null;
    }

    private static String typeName(Object decoded) {
        return decoded instanceof SpecificRecord r ? r.getSchema().getFullName() : decoded.getClass().getName();
    }

    private void deadLetter(ConsumerRecord<String, byte[]> rec, String error, Throwable cause) {
        deadLetters++;
        LOG.warn("dead letter from {}-{}@{}: {}", rec.topic(), rec.partition(), rec.offset(), error);
        byte[] key = rec.key() == null ? null : rec.key().getBytes(StandardCharsets.UTF_8);
        DeadLetter letter = DeadLetters.of(SERVICE, rec.topic(), rec.partition(), rec.offset(), key, rec.value(), error, cause);
        producer.send(new ProducerRecord<>(deadLettersTopic, rec.key(), deadLetterBytes.serialize(deadLettersTopic, letter)));
    }

    private void publishMetrics() {
        if (metrics == null) {
            return;
        }
        metrics.publish(MetricCatalog.DISPATCH_DISPATCHED, groups.dispatched());
        metrics.publish(MetricCatalog.DISPATCH_COMPLETED, groups.completed());
        metrics.publish(MetricCatalog.DISPATCH_IN_FLIGHT, groups.inFlight());
        metrics.publish(MetricCatalog.DISPATCH_ACCEPTED, groups.accepted());
        metrics.publish(MetricCatalog.DISPATCH_LOST, groups.lost());
        metrics.publish(MetricCatalog.DISPATCH_DEAD_LETTERS, deadLetters);
        metrics.publish(MetricCatalog.DISPATCH_PROMPT_POOL, pool.size());
        metrics.publish(MetricCatalog.DISPATCH_POLICY_VERSION, policyVersion);
        metrics.publish(MetricCatalog.DISPATCH_BATCHES_AHEAD, batchesWritten - Math.max(policyVersion, batchesConsumed));
        Map<String, String> tags = Map.of("selector", selector.name());
        selector.metrics().forEach((name, value) -> {
            if (!Double.isNaN(value)) {
                metrics.publish(MetricCatalog.SELECTOR.withSuffix(name), value, -1, policyVersion, tags);
            }
        });
    }
}
