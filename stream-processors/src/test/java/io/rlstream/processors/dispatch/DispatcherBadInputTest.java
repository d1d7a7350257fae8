package io.rlstream.processors.dispatch;

import static io.rlstream.processors.dispatch.DispatcherTest.dispatched;
import static io.rlstream.processors.dispatch.DispatcherTest.prompt;
import static io.rlstream.processors.dispatch.DispatcherTest.stats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.DeadLetter;
import io.rlstream.events.Prompt;
import io.rlstream.events.PromptStats;
import io.rlstream.events.Reward;
import io.rlstream.events.SampleStatus;
import io.rlstream.events.TopicPartitionOffset;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.ops.poison.BadRecords.Generic;
import io.rlstream.processors.curriculum.UniformSelector;
import io.rlstream.schemas.SerdeFactory;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.RegistryFixture;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 19: the five generic bad records (undecodable bytes, unknown schema id, empty value,
 * tombstone, another Avro type with valid registry framing) on each input of the dispatcher are
 * dead letters with their reason and position, the dispatcher's thread goes on (no exception out of
 * {@code step}/{@code catchUp}), and a good record after them still counts. The real schema
 * registry's serdes (only they decode another event's bytes to another class); Kafka's mock
 * clients, as {@link DispatcherTest}.
 */
class DispatcherBadInputTest {

    private static final TopicCatalog CATALOG = TopicCatalog.defaults();
    private static final List<Topic> INPUTS = List.of(Topic.PROMPTS, Topic.CHECKPOINTS, Topic.PROMPT_STATS,
            Topic.TRAINING_BATCHES, Topic.PROMPT_DISPATCH);

    private final SerdeFactory serdes = RegistryFixture.serdes();
    private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
    private final MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(),
            new ByteArraySerializer());
    private final Map<TopicPartition, Long> nextOffset = new HashMap<>();
    /** What the admission policy last saw: the dispatcher's counts. */
    private final AtomicReference<DispatchState> state = new AtomicReference<>();

    private Dispatcher dispatcher() {
        Map<TopicPartition, Long> beginning = new HashMap<>();
        for (Topic t : INPUTS) {
            String topic = CATALOG.name(t);
            consumer.updatePartitions(topic, List.of(new PartitionInfo(topic, 0, Node.noNode(), new Node[0], new Node[0])));
            beginning.put(new TopicPartition(topic, 0), 0L);
        }
        consumer.updateBeginningOffsets(beginning);
        consumer.updateEndOffsets(beginning);
        DispatchSettings settings = new DispatchSettings(2, 4, 0.7f, 5, 42, 1);
        AdmissionPolicy budget = new InFlightBudget(4);
        return new Dispatcher(settings, s -> {
            state.set(s);
            return budget.admissible(s);
        }, new UniformSelector(), CATALOG, serdes, consumer, producer, null, 60_000, "run1");
    }

    private void next(String topic, String key, byte[] bytes) {
        TopicPartition tp = new TopicPartition(topic, 0);
        long offset = nextOffset.merge(tp, 1L, Long::sum) - 1;
        consumer.schedulePollTask(() -> consumer.addRecord(new ConsumerRecord<>(topic, 0, offset, key, bytes)));
    }

    private <T extends SpecificRecord> byte[] bytes(String topic, T value) {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) value.getClass();
        return serdes.serde(type).serializer().serialize(topic, value);
    }

    private List<DeadLetter> deadLetters() {
        String topic = CATALOG.name(Topic.DEAD_LETTERS);
        return producer.history().stream().filter(r -> r.topic().equals(topic))
                .map(r -> serdes.serde(DeadLetter.class).deserializer().deserialize(topic, r.value())).toList();
    }

    private long dispatches() {
        return producer.history().stream().filter(r -> r.topic().equals(CATALOG.name(Topic.PROMPT_DISPATCH))).count();
    }

    /** The type each input carries, as dead letters name it. */
    private static String expected(Topic input) {
        return switch (input) {
            case PROMPTS -> "Prompt";
            case CHECKPOINTS -> "CheckpointPublished";
            case PROMPT_STATS -> "PromptStats";
            case TRAINING_BATCHES -> "TrainingBatchGroup";
            case PROMPT_DISPATCH -> "PromptDispatch";
            default -> throw new IllegalArgumentException(input.toString());
        };
    }

    /** A good record of each input. */
    private SpecificRecord good(Topic input) {
        return switch (input) {
            case PROMPTS -> prompt("a");
            case CHECKPOINTS -> CheckpointPublished.newBuilder().setPolicyName("policy").setVersion(7)
                    .setUri("file:/ckpt/7").setStep(7).setOffsets(List.of(new TopicPartitionOffset("rl.training-batches", 0, 7L))).setCreatedAt(Instant.EPOCH).build();
            case PROMPT_STATS -> stats("a", 1);
            case TRAINING_BATCHES -> TrainingBatchGroup.newBuilder().setBatchId("b1").setBatchSequence(0).setGroupIndex(0)
                    .setBatchGroups(1).setBatchSamples(0).setMinPolicyVersion(0).setMaxPolicyVersion(0)
                    .setFilterStats(Map.of()).setGroupId("g").setPromptId("a").setEstimator("grpo").setSamples(List.of())
                    .setCreatedAt(Instant.EPOCH).build();
            case PROMPT_DISPATCH -> dispatched("old-0");
            default -> throw new IllegalArgumentException(input.toString());
        };
    }

    @ParameterizedTest
    @EnumSource(names = {"PROMPTS", "CHECKPOINTS", "PROMPT_STATS", "TRAINING_BATCHES", "PROMPT_DISPATCH"})
    void everyGenericBadRecordIsADeadLetterAndAGoodRecordStillCounts(Topic input) {
        String topic = CATALOG.name(input);
        // another event's bytes with valid framing: a Reward (on rl.prompts), a Prompt elsewhere
        SpecificRecord wrong = input == Topic.PROMPTS
                ? Reward.newBuilder().setRolloutId("g/0").setGroupId("g").setPromptId("a").setScore(1).setStatus(SampleStatus.OK)
                        .setVerifier("test").setScoredAt(Instant.EPOCH).build()
                : prompt("x");
        List<Generic> sent = new ArrayList<>();
        for (Generic bad : Generic.values()) {
            next(topic, "x", bad.bytes(serdes, topic, wrong));
            sent.add(bad);
        }
        // the same wrong record again (a replay): a dead letter again, never a stop
        next(topic, "x", Generic.WRONG_TYPE.bytes(serdes, topic, wrong));
        sent.add(Generic.WRONG_TYPE);
        next(topic, "y", bytes(topic, good(input)));
        int records = sent.size() + 1;

        Dispatcher d = dispatcher();
        if (input == Topic.PROMPT_DISPATCH) {
            consumer.updateEndOffsets(Map.of(new TopicPartition(topic, 0), (long) records));
        }
        d.catchUp();
        if (input != Topic.PROMPTS) {
            next(CATALOG.name(Topic.PROMPTS), "a", bytes(CATALOG.name(Topic.PROMPTS), prompt("a")));
        }
        for (int i = 0; i < records + 3; i++) {
            d.step();
        }

        // On rl.prompts, a compacted topic, a tombstone is the deletion of its key's prompt: no dead letter.
        List<Integer> deadOffsets = new ArrayList<>();
        for (int offset = 0; offset < sent.size(); offset++) {
            if (!(input == Topic.PROMPTS && sent.get(offset) == Generic.TOMBSTONE)) {
                deadOffsets.add(offset);
            }
        }
        List<DeadLetter> letters = deadLetters();
        assertEquals(deadOffsets.size(), letters.size(), letters.toString());
        for (int i = 0; i < letters.size(); i++) {
            DeadLetter letter = letters.get(i);
            Generic bad = sent.get(deadOffsets.get(i));
            assertEquals(topic, letter.getSourceTopic());
            assertEquals(0, letter.getSourcePartition());
            assertEquals(deadOffsets.get(i), (int) letter.getSourceOffset(), bad + " at its offset");
            assertEquals(Dispatcher.SERVICE, letter.getService());
            assertTrue(bad.explains(letter.getError(), expected(input), wrong.getSchema().getFullName()),
                    bad + ": " + letter.getError());
        }
        assertEquals(letters.size(), d.deadLetters(), "counted for dispatch.dead_letters");

        // the good record still counts
        Dispatcher.Snapshot snap = d.snapshot();
        assertTrue(dispatches() > 0, "prompt a is dispatched");
        switch (input) {
            case CHECKPOINTS -> assertEquals(7, snap.policyVersion());
            case PROMPT_STATS -> assertEquals(1, snap.completed());
            case TRAINING_BATCHES -> assertEquals(1, state.get().batchesWritten(), "only the good batch counts");
            case PROMPT_DISPATCH -> assertEquals(1 + dispatches(), snap.dispatched(), "old-0 and this run's");
            default -> assertEquals(1, snap.promptPool(), "prompt a in the pool");
        }
    }

    @Test
    void aBlankPromptIdAndANonFiniteStatisticAreDeadLettersAndTheGoodOnesStillCount() {
        String prompts = CATALOG.name(Topic.PROMPTS);
        String stats = CATALOG.name(Topic.PROMPT_STATS);
        // offsets 0: bad, 1: good on each topic (issue 19's corpus, BadRecords.domain)
        next(prompts, "", bytes(prompts, Prompt.newBuilder(prompt("a")).setPromptId("").build()));
        next(prompts, "a", bytes(prompts, prompt("a")));
        next(stats, "a", bytes(stats, PromptStats.newBuilder(stats("a", 1)).setPassRate(Double.NaN).build()));
        next(stats, "a", bytes(stats, stats("a", 1)));
        Dispatcher d = dispatcher();
        d.catchUp();
        for (int i = 0; i < 6; i++) {
            d.step();
        }

        List<DeadLetter> letters = deadLetters();
        assertEquals(2, letters.size(), letters.toString());
        DeadLetter prompt = letters.stream().filter(l -> l.getSourceTopic().equals(prompts)).findFirst().orElseThrow();
        assertEquals(0, prompt.getSourceOffset());
        assertEquals("invalid Prompt: blank prompt_id", prompt.getError());
        DeadLetter stat = letters.stream().filter(l -> l.getSourceTopic().equals(stats)).findFirst().orElseThrow();
        assertEquals(0, stat.getSourceOffset());
        assertTrue(stat.getError().startsWith("invalid PromptStats of prompt 'a': a non-finite number (pass_rate NaN"),
                stat.getError());
        Dispatcher.Snapshot snap = d.snapshot();
        assertEquals(1, snap.promptPool(), "prompt a in the pool, the blank one not");
        assertEquals(1, snap.completed(), "the good statistics count");
        assertEquals(2, d.deadLetters());
    }

    /**
     * Issue 19's forged high version: a version no trainer could have reached (it exceeds the input
     * records its announcement says were consumed, each training step reading at least one) is a
     * dead letter, and the staleness gate keeps the real version; a trainer's announcement counts.
     */
    @Test
    void aCheckpointVersionBeyondItsConsumedInputIsADeadLetter() {
        String checkpoints = CATALOG.name(Topic.CHECKPOINTS);
        String batches = CATALOG.name(Topic.TRAINING_BATCHES);
        next(checkpoints, "policy", bytes(checkpoints, CheckpointPublished.newBuilder().setPolicyName("policy")
                .setVersion(2).setUri("file:/ckpt/2").setStep(2)
                .setOffsets(List.of(new TopicPartitionOffset(batches, 0, 5L))).setCreatedAt(Instant.EPOCH).build()));
        // offsets 1, 2: no offsets at all, and 9 steps claimed from 4 records
        next(checkpoints, "policy", bytes(checkpoints, CheckpointPublished.newBuilder().setPolicyName("policy")
                .setVersion(1_000_000_000L).setUri("file:/ckpt/forged").setStep(1_000_000_000L)
                .setCreatedAt(Instant.EPOCH).build()));
        next(checkpoints, "policy", bytes(checkpoints, CheckpointPublished.newBuilder().setPolicyName("policy")
                .setVersion(9).setUri("file:/ckpt/9").setStep(9)
                .setOffsets(List.of(new TopicPartitionOffset(batches, 0, 4L))).setCreatedAt(Instant.EPOCH).build()));
        Dispatcher d = dispatcher();
        d.catchUp();
        for (int i = 0; i < 6; i++) {
            d.step();
        }

        List<DeadLetter> letters = deadLetters();
        assertEquals(2, letters.size(), letters.toString());
        assertEquals(List.of(1L, 2L), letters.stream().map(DeadLetter::getSourceOffset).sorted().toList());
        assertEquals("invalid CheckpointPublished version 1000000000: its offsets account for 0 input records, and every "
                + "training step reads at least one (versions count steps from 0): no trainer published it",
                letters.stream().filter(l -> l.getSourceOffset() == 1).findFirst().orElseThrow().getError());
        assertEquals(2, d.snapshot().policyVersion(), "the trainer's version 2, not a forged one");
    }
}
