package io.rlstream.ops.chaos;

import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.PromptDispatch;
import io.rlstream.events.Rollout;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.schemas.SerdeFactory;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads, while the chaos runs and then to the end, every committed record the audit needs, and
 * when each arrived here (a service's recovery ends with its first output record after a
 * restart): rl.prompt-dispatch, rl.rollouts, rl.rewards, rl.training-batches, rl.checkpoints, and
 * the grouping app's group-outcomes repartition topic (read live: Kafka Streams purges a
 * repartition topic's records once they are processed).
 */
final class TopicRecorder implements AutoCloseable {

    /** A record's arrival: when this recorder polled it and, for checkpoints, the version. */
    record Arrival(long nanos, long version) {
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, Topic> topics = new HashMap<>();
    private final String outcomesTopic;
    private final Deserializer<PromptDispatch> dispatchDecoder;
    private final Deserializer<Rollout> rolloutDecoder;
    private final Deserializer<TrainingBatchGroup> batchDecoder;
    private final Deserializer<CheckpointPublished> checkpointDecoder;
    private final Thread thread;
    private volatile boolean stop;
    private volatile Throwable failure;

    final Map<String, Integer> dispatches = new ConcurrentHashMap<>();
    final Map<String, Integer> rollouts = new ConcurrentHashMap<>();
    /** Rollouts by their generator_id (the worker.id of the worker that wrote them). */
    final Map<String, Long> rolloutsByGenerator = new ConcurrentHashMap<>();
    final List<ChaosAudit.BatchRow> batchRows = new CopyOnWriteArrayList<>();
    final Map<String, ChaosAudit.Outcome> outcomes = new ConcurrentHashMap<>();
    final List<ChaosAudit.Announcement> announcements = new CopyOnWriteArrayList<>();
    private final Map<Topic, List<Arrival>> arrivals = new ConcurrentHashMap<>();
    private final List<TopicPartition> assigned = new ArrayList<>();

    TopicRecorder(Map<String, Object> clientConfig, TopicCatalog catalog, SerdeFactory serdes, String outcomesTopic) {
        Map<String, Object> props = new HashMap<>(clientConfig);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 32 * 1024 * 1024);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        for (Topic t : List.of(Topic.PROMPT_DISPATCH, Topic.ROLLOUTS, Topic.REWARDS, Topic.TRAINING_BATCHES,
                Topic.CHECKPOINTS)) {
            topics.put(catalog.name(t), t);
            arrivals.put(t, new CopyOnWriteArrayList<>());
        }
        this.outcomesTopic = outcomesTopic;
        this.dispatchDecoder = serdes.serde(PromptDispatch.class).deserializer();
        this.rolloutDecoder = serdes.serde(Rollout.class).deserializer();
        this.batchDecoder = serdes.serde(TrainingBatchGroup.class).deserializer();
        this.checkpointDecoder = serdes.serde(CheckpointPublished.class).deserializer();
        this.thread = new Thread(this::loop, "chaos-recorder");
        this.thread.setDaemon(true);
    }

    void start() {
        assign(new ArrayList<>(topics.keySet()));
        thread.start();
    }

    private void assign(List<String> names) {
        for (String name : names) {
            List<PartitionInfo> infos = consumer.partitionsFor(name, Duration.ofSeconds(10));
            if (infos != null) {
                infos.forEach(i -> assigned.add(new TopicPartition(i.topic(), i.partition())));
            }
        }
        consumer.assign(assigned);
        consumer.seekToBeginning(assigned);
    }

    private void loop() {
        boolean outcomesAssigned = false;
        long lastLook = 0;
        try {
            while (!stop) {
                if (!outcomesAssigned && System.nanoTime() - lastLook > 1_000_000_000L) {
                    lastLook = System.nanoTime();
                    // Created by the grouping app when it starts.
                    if (consumer.listTopics(Duration.ofSeconds(5)).containsKey(outcomesTopic)) {
                        List<TopicPartition> before = new ArrayList<>(assigned);
                        for (PartitionInfo i : consumer.partitionsFor(outcomesTopic, Duration.ofSeconds(5))) {
                            assigned.add(new TopicPartition(i.topic(), i.partition()));
                        }
                        consumer.assign(assigned);
                        List<TopicPartition> added = new ArrayList<>(assigned);
                        added.removeAll(before);
                        consumer.seekToBeginning(added);
                        outcomesAssigned = true;
                    }
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    record(r, System.nanoTime());
                }
                checkCaughtUp();
            }
        } catch (WakeupException e) {
            // stopping
        } catch (Throwable e) {
            failure = e;
        }
    }

    private void record(ConsumerRecord<String, byte[]> r, long now) {
        if (r.value() == null) {
            return;
        }
        if (r.topic().equals(outcomesTopic)) {
            TrainingBatchGroup g = batchDecoder.deserialize(r.topic(), r.value());
            outcomes.put(g.getGroupId(), outcome(g.getFilterStats()));
            return;
        }
        Topic topic = topics.get(r.topic());
        long version = -1;
        switch (topic) {
            case PROMPT_DISPATCH -> dispatches.merge(dispatchDecoder.deserialize(r.topic(), r.value()).getGroupId(), 1,
                    Integer::sum);
            case ROLLOUTS -> {
                Rollout rollout = rolloutDecoder.deserialize(r.topic(), r.value());
                rollouts.merge(rollout.getGroupId() + "/" + rollout.getSampleIndex(), 1, Integer::sum);
                rolloutsByGenerator.merge(rollout.getGeneratorId(), 1L, Long::sum);
            }
            case TRAINING_BATCHES -> {
                TrainingBatchGroup g = batchDecoder.deserialize(r.topic(), r.value());
                batchRows.add(new ChaosAudit.BatchRow(g.getBatchId(), g.getBatchSequence(), g.getGroupId(), g.getBatchGroups()));
            }
            case CHECKPOINTS -> {
                CheckpointPublished c = checkpointDecoder.deserialize(r.topic(), r.value());
                version = c.getVersion();
                announcements.add(new ChaosAudit.Announcement(version, List.copyOf(c.getBatchIds())));
            }
            default -> {
                // rewards: only their arrival counts
            }
        }
        arrivals.get(topic).add(new Arrival(now, version));
    }

    /** The grouping app's verdict on a closed group, from its filter statistics (io.rlstream.processors.grouping.FilterStats). */
    static ChaosAudit.Outcome outcome(Map<String, Long> stats) {
        if (stats.getOrDefault("groups_kept", 0L) > 0) {
            return ChaosAudit.Outcome.KEPT;
        }
        return stats.getOrDefault("groups_timed_out", 0L) > 0 ? ChaosAudit.Outcome.TIMED_OUT : ChaosAudit.Outcome.FILTERED;
    }

    /** Arrivals on a topic so far, in order. */
    List<Arrival> arrivals(Topic topic) {
        return arrivals.get(topic);
    }

    /**
     * Waits until every assigned partition is read up to its last stable offset as of this call
     * (at most {@code timeout}); false if the time ran out.
     */
    boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        caughtUp.set(false);
        catchUpRequested.set(true);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (failure != null) {
                throw new IllegalStateException("the chaos recorder failed: " + failure, failure);
            }
            if (caughtUp.get()) {
                return true;
            }
            Thread.sleep(200);
        }
        return false;
    }

    /** On the recorder's thread: once asked, takes the end offsets and reports when the positions reach them. */
    private void checkCaughtUp() {
        if (!catchUpRequested.get()) {
            return;
        }
        if (targets == null) {
            targets = consumer.endOffsets(assigned, Duration.ofSeconds(10));
        }
        for (Map.Entry<TopicPartition, Long> e : targets.entrySet()) {
            if (consumer.position(e.getKey(), Duration.ofSeconds(10)) < e.getValue()) {
                return;
            }
        }
        targets = null;
        catchUpRequested.set(false);
        caughtUp.set(true);
    }

    private final AtomicBoolean caughtUp = new AtomicBoolean();
    private final AtomicBoolean catchUpRequested = new AtomicBoolean();
    private Map<TopicPartition, Long> targets;

    Throwable failure() {
        return failure;
    }

    @Override
    public void close() {
        stop = true;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close(Duration.ofSeconds(5));
    }
}
