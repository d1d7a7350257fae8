package io.rlstream.processors.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.ChatMessage;
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
import io.rlstream.processors.curriculum.PassRateWindowSelector;
import io.rlstream.processors.curriculum.PromptSelector;
import io.rlstream.processors.curriculum.UniformSelector;
import io.rlstream.schemas.SerdeFactory;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PlainAvroSerdes;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dispatcher against Kafka's mock clients: what it reads at start, what it dispatches, where it stops. */
class DispatcherTest {

    private static final TopicCatalog CATALOG = TopicCatalog.defaults();
    private static final SerdeFactory SERDES = new PlainAvroSerdes();
    private static final String PROMPTS = CATALOG.name(Topic.PROMPTS);
    private static final String CHECKPOINTS = CATALOG.name(Topic.CHECKPOINTS);
    private static final String STATS = CATALOG.name(Topic.PROMPT_STATS);
    private static final String DISPATCH = CATALOG.name(Topic.PROMPT_DISPATCH);
    private static final String DEAD_LETTERS = CATALOG.name(Topic.DEAD_LETTERS);
    private static final String SELECTION = CATALOG.name(Topic.PROMPT_SELECTION);

    private MockConsumer<String, byte[]> consumer;
    private MockProducer<String, byte[]> producer;
    private final Map<TopicPartition, Long> nextOffset = new HashMap<>();

    @BeforeEach
    void clients() {
        consumer = new MockConsumer<>("earliest");
        producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        Map<TopicPartition, Long> beginning = new HashMap<>();
        for (String topic : List.of(PROMPTS, CHECKPOINTS, STATS, DISPATCH)) {
            consumer.updatePartitions(topic, List.of(new PartitionInfo(topic, 0, Node.noNode(), new Node[0], new Node[0])));
            beginning.put(new TopicPartition(topic, 0), 0L);
        }
        consumer.updateBeginningOffsets(beginning);
        consumer.updateEndOffsets(beginning);
    }

    private Dispatcher dispatcher(int maxInFlight) {
        return dispatcher(maxInFlight, new UniformSelector());
    }

    private Dispatcher dispatcher(int maxInFlight, PromptSelector selector) {
        DispatchSettings settings = new DispatchSettings(2, maxInFlight, 0.7f, 5, 42, 1);
        return new Dispatcher(settings, new InFlightBudget(maxInFlight), selector, CATALOG, SERDES, consumer, producer,
                null, 60_000, "run1");
    }

    /** Queues a record for the consumer's next poll (the partition must be assigned by then). */
    @SuppressWarnings("unchecked")
    private <T extends SpecificRecord> void next(String topic, String key, T value) {
        byte[] bytes = value == null ? null
                : SERDES.serde((Class<T>) value.getClass()).serializer().serialize(topic, value);
        nextRaw(topic, key, bytes);
    }

    private void nextRaw(String topic, String key, byte[] bytes) {
        TopicPartition tp = new TopicPartition(topic, 0);
        long offset = nextOffset.merge(tp, 1L, Long::sum) - 1;
        consumer.schedulePollTask(() -> consumer.addRecord(new ConsumerRecord<>(topic, 0, offset, key, bytes)));
    }

    static Prompt prompt(String id) {
        return Prompt.newBuilder().setPromptId(id).setText("what is " + id + "?").setCreatedAt(Instant.EPOCH).build();
    }

    static PromptStats stats(String prompt, long groups) {
        return PromptStats.newBuilder().setPromptId(prompt).setSamples(2 * groups).setGroups(groups).setPassRate(0.5)
                .setMovingAverage(0.5).setLastPolicyVersion(0).setUpdatedAt(Instant.EPOCH).build();
    }

    static PromptDispatch dispatched(String group) {
        // dispatched just now: a group dispatched longer than the generation timeout ago would be given up on
        return PromptDispatch.newBuilder().setGroupId(group).setPromptId("p").setPromptText("?").setGroupSize(2)
                .setDispatchedAt(Instant.now()).build();
    }

    private List<PromptDispatch> sentDispatches() {
        return producer.history().stream().filter(r -> r.topic().equals(DISPATCH))
                .map(r -> SERDES.serde(PromptDispatch.class).deserializer().deserialize(DISPATCH, r.value()))
                .toList();
    }

    @Test
    void dispatchesRandomPromptsUpToTheInFlightCapAndMoreAsGroupsComplete() {
        Dispatcher d = dispatcher(3);
        d.catchUp(); // empty dispatch topic: nothing from before
        next(PROMPTS, "a", prompt("a"));
        next(PROMPTS, "b", prompt("b"));
        next(CHECKPOINTS, "policy", CheckpointPublished.newBuilder().setPolicyName("policy").setVersion(7)
                .setUri("file:/ckpt/7").setStep(7).setOffsets(List.of(new TopicPartitionOffset("rl.training-batches", 0, 7L))).setCreatedAt(Instant.EPOCH).build());
        for (int i = 0; i < 5; i++) {
            d.step();
        }
        List<PromptDispatch> sent = sentDispatches();
        assertEquals(3, sent.size(), "stops at the cap of 3 in-flight groups");
        assertEquals(Set.of("run1-0", "run1-1", "run1-2"), sent.stream().map(PromptDispatch::getGroupId).collect(Collectors.toSet()));
        PromptDispatch first = sent.get(0);
        assertEquals(2, first.getGroupSize());
        assertEquals(0.7f, first.getTemperature());
        assertEquals(5, first.getMaxNewTokens());
        assertTrue(Set.of("a", "b").contains(first.getPromptId()));
        assertEquals("what is " + first.getPromptId() + "?", first.getPromptText());
        assertNull(first.getMessages(), "a plain text prompt carries no chat messages");
        assertEquals(first.getGroupId(), producer.history().get(0).key(), "keyed by group_id");

        // the grouping app resolves one group (its prompt's stats say 1 group, repeated): one slot frees
        next(STATS, "a", stats("a", 1));
        next(STATS, "a", stats("a", 1));
        for (int i = 0; i < 5; i++) {
            d.step();
        }
        sent = sentDispatches();
        assertEquals(4, sent.size());
        assertEquals(7, sent.get(3).getPolicyVersion(), "carries the latest trained policy version");
        assertEquals(new Dispatcher.Snapshot(4, 1, 3, 2, 7), d.snapshot());
    }

    @Test
    void aChatPromptsMessagesTravelInTheDispatch() {
        Dispatcher d = dispatcher(2);
        d.catchUp();
        List<ChatMessage> chat = List.of(new ChatMessage("system", "Answer with a number."), new ChatMessage("user", "what is c?"));
        next(PROMPTS, "c", Prompt.newBuilder(prompt("c")).setMessages(chat).build());
        for (int i = 0; i < 3; i++) {
            d.step();
        }
        List<PromptDispatch> sent = sentDispatches();
        assertEquals(2, sent.size());
        for (PromptDispatch g : sent) {
            assertEquals(chat, g.getMessages());
            assertEquals("what is c?", g.getPromptText());
        }
    }

    @Test
    void aRestartCountsWhatEarlierRunsDispatchedAndWhatCompleted() {
        // rl.prompt-dispatch holds 3 groups of an earlier run; rl.prompt-stats says one was resolved
        consumer.updateEndOffsets(Map.of(new TopicPartition(DISPATCH, 0), 3L));
        for (String g : List.of("old-0", "old-1", "old-2")) {
            next(DISPATCH, g, dispatched(g));
        }
        Dispatcher d = dispatcher(3);
        d.catchUp();
        next(PROMPTS, "a", prompt("a"));
        next(STATS, "p", stats("p", 1));
        for (int i = 0; i < 5; i++) {
            d.step();
        }
        // 3 dispatched before, 1 completed -> 2 in flight -> 1 free slot under the cap of 3
        assertEquals(1, sentDispatches().size());
        assertEquals("run1-0", sentDispatches().get(0).getGroupId());
        assertEquals(new Dispatcher.Snapshot(4, 1, 3, 1, 0), d.snapshot());
    }

    @Test
    void groupsWithNoTraceAfterTheGenerationTimeoutAreGivenUpOnAndFreeTheirSlots() {
        // 3 groups dispatched 20 minutes ago by an earlier run, never resolved (their generator died):
        // with the 10-minute timeout they are lost at the first step, and the cap of 3 is free again
        consumer.updateEndOffsets(Map.of(new TopicPartition(DISPATCH, 0), 3L));
        for (String g : List.of("old-0", "old-1", "old-2")) {
            next(DISPATCH, g, PromptDispatch.newBuilder(dispatched(g))
                    .setDispatchedAt(Instant.now().minus(java.time.Duration.ofMinutes(20))).build());
        }
        Dispatcher d = dispatcher(3);
        d.catchUp();
        next(PROMPTS, "a", prompt("a"));
        for (int i = 0; i < 3; i++) {
            d.step();
        }
        assertEquals(3, sentDispatches().size());
        assertEquals(new Dispatcher.Snapshot(6, 0, 3, 1, 0), d.snapshot());
    }

    static TrainingBatchGroup batchRecord(String batchId) {
        return TrainingBatchGroup.newBuilder().setBatchId(batchId).setBatchSequence(0).setGroupIndex(0)
                .setBatchGroups(1).setBatchSamples(0).setMinPolicyVersion(0).setMaxPolicyVersion(0)
                .setFilterStats(Map.of()).setGroupId("g-" + batchId).setPromptId("a").setEstimator("grpo")
                .setSamples(List.of()).setCreatedAt(Instant.EPOCH).build();
    }

    static CheckpointPublished checkpoint(long version) {
        return CheckpointPublished.newBuilder().setPolicyName("policy").setVersion(version).setUri("file:/ckpt/" + version)
                .setStep(version)
                // as the trainer announces it: read to offset `version` of the batches (one record a batch here)
                .setOffsets(List.of(new TopicPartitionOffset("rl.training-batches", 0, version)))
                .setCreatedAt(Instant.EPOCH).build();
    }

    /**
     * A dispatcher with the lag gate (max-batches-ahead 1, G = 2, at most 3 in flight) whose inputs
     * end at 1 prompt, {@code checkpoints} announcements and {@code batches} batch records.
     */
    private Dispatcher lagGated(long checkpoints, long batches) {
        String batchTopic = CATALOG.name(Topic.TRAINING_BATCHES);
        consumer.updatePartitions(batchTopic,
                List.of(new PartitionInfo(batchTopic, 0, Node.noNode(), new Node[0], new Node[0])));
        consumer.updateBeginningOffsets(Map.of(new TopicPartition(batchTopic, 0), 0L));
        consumer.updateEndOffsets(Map.of(new TopicPartition(PROMPTS, 0), 1L, new TopicPartition(CHECKPOINTS, 0),
                checkpoints, new TopicPartition(batchTopic, 0), batches));
        DispatchSettings settings = new DispatchSettings(2, 3, 0.7f, 5, 42, 1);
        return new Dispatcher(settings, settings.admission(), new UniformSelector(), CATALOG, SERDES, consumer,
                producer, null, 60_000, "run1");
    }

    @Test
    void aRestartDispatchesNothingUntilItHasReadItsInputsSoTheLagGateSeesEveryWrittenBatch() {
        // History: v1 trained, 3 batches written: 2 ahead of the trainer, more than max-batches-ahead = 1,
        // so the lag gate is closed. The inputs arrive one record per poll, the prompt and the
        // checkpoint first, the (large) batches last, as after a restart on a long history. Reading
        // the prompt, v1 and no batch yet, the gate looks open (0 - 1 <= 1): a dispatcher deciding on
        // half-read inputs sent 3 groups the trainer could not take (issue 19's restarts).
        String batches = CATALOG.name(Topic.TRAINING_BATCHES);
        Dispatcher d = lagGated(1, 3);
        d.catchUp();
        next(PROMPTS, "a", prompt("a"));
        next(CHECKPOINTS, "policy", checkpoint(1));
        for (String b : List.of("b1", "b2", "b3")) {
            next(batches, b, batchRecord(b));
        }
        for (int i = 0; i < 10; i++) {
            d.step();
        }
        assertEquals(List.of(), sentDispatches(), "3 written - v1 = 2 ahead > 1: closed, also while reading");
        assertEquals(3, d.batchesWritten());
        assertTrue(d.restart() != null && !d.restart().fromState(), "caught up, from the whole history");
        // v2: 1 ahead, the gate opens and the in-flight cap of 3 decides
        next(CHECKPOINTS, "policy", checkpoint(2));
        d.step();
        d.step();
        assertEquals(3, sentDispatches().size());
    }

    @Test
    void batchesTheTrainerRefusedAreDoneWithAndHoldNoBudget() {
        // 4 batches written; the trainer trained b1 (v1, read to offset 1), refused b2 and b3 (its input
        // checks, issue 19: no version) and trained b4 (v2, read to offset 4). Counted by versions, 4 - 2 =
        // 2 batches would wait, more than max-batches-ahead = 1, for good: every refused batch shrank the
        // budget until dispatching stopped. The trainer read past all 4: none waits.
        String batches = CATALOG.name(Topic.TRAINING_BATCHES);
        Dispatcher d = lagGated(2, 4);
        d.catchUp();
        next(PROMPTS, "a", prompt("a"));
        next(CHECKPOINTS, "policy", checkpoint(1));
        for (String b : List.of("b1", "b2", "b3", "b4")) {
            next(batches, b, batchRecord(b));
        }
        next(CHECKPOINTS, "policy", CheckpointPublished.newBuilder(checkpoint(2))
                .setOffsets(List.of(new TopicPartitionOffset(batches, 0, 4L))).build());
        for (int i = 0; i < 12; i++) {
            d.step();
        }
        assertEquals(4, d.batchesWritten());
        assertEquals(2, d.snapshot().policyVersion());
        assertEquals(3, sentDispatches().size(), "0 batches waiting: the in-flight cap of 3 decides");
    }

    @Test
    void theAdmissionRulesCountRefusedBatchesAsDone() {
        // v2 with 4 batches consumed (2 refused), 5 written, 8 accepted, 0 in flight, B = 2
        DispatchState state = new DispatchState(8, 8, 2, 5, 8, 0, 4);
        assertEquals(4, state.batchesDone());
        assertEquals(1, state.batchesAhead(), "5 written - 4 done");
        // AReaL's bound (eta + v + 1) * B - (accepted + in flight) with v the batches done: (1 + 4 + 1) * 2 - 8
        assertEquals(4, new StalenessBound(1, 2, new InFlightBudget(100)).budget(state));
        // by versions alone (nothing refused): (1 + 2 + 1) * 2 - 8 = 0
        assertEquals(0, new StalenessBound(1, 2, new InFlightBudget(100)).budget(new DispatchState(8, 8, 2, 5, 8, 0)));
    }

    private static final String STATE = CATALOG.name(Topic.DISPATCHER_STATE);

    /** A state saying: 10 groups of p dispatched (offsets up to 2 of rl.prompt-dispatch), the 10th in flight. */
    static DispatcherState savedState() {
        return DispatcherState.newBuilder().setDispatched(10)
                .setPrompts(List.of(PromptDispatchCount.newBuilder().setPromptId("p").setDispatched(10).setSelected(10).build()))
                .setInFlight(List.of(InFlightGroup.newBuilder().setPromptId("p").setOrdinal(9).setDispatchedAt(Instant.now()).build()))
                .setDispatchOffsets(Map.of("0", 2L)).setRunToken("old").setWrittenAt(Instant.now()).build();
    }

    private void stateTopicWith(long records) {
        consumer.updatePartitions(STATE, List.of(new PartitionInfo(STATE, 0, Node.noNode(), new Node[0], new Node[0])));
        consumer.updateBeginningOffsets(Map.of(new TopicPartition(STATE, 0), 0L));
        consumer.updateEndOffsets(Map.of(new TopicPartition(STATE, 0), records, new TopicPartition(DISPATCH, 0), 3L));
    }

    @Test
    void aRestartTakesTheSavedStateAndReadsOnlyTheDispatchesAfterIt() {
        // the state covers rl.prompt-dispatch up to offset 2; the dispatch at offset 2 came after it
        stateTopicWith(1);
        next(STATE, Dispatcher.STATE_KEY, savedState());
        nextOffset.put(new TopicPartition(DISPATCH, 0), 2L);
        next(DISPATCH, "old-10", PromptDispatch.newBuilder(dispatched("old-10")).build());
        Dispatcher d = dispatcher(3);
        d.catchUp();
        next(STATS, "p", stats("p", 9));
        for (int i = 0; i < 3; i++) {
            d.step();
        }
        // by hand: 10 saved + 1 after = 11 dispatched, 9 resolved, 2 in flight
        Dispatcher.Restart restart = d.restart();
        assertTrue(restart.fromState());
        assertEquals(1L, restart.recordsRead().get(DISPATCH), "only the dispatch after the state");
        assertEquals(new Dispatcher.Counts(11, 9, 2, 0, 0, Map.of("p", 11L)), restart.counts());
    }

    @Test
    void aTombstoneAfterTheStateMakesTheNextStartCountTheWholeHistory() {
        stateTopicWith(2);
        next(STATE, Dispatcher.STATE_KEY, savedState());
        next(STATE, Dispatcher.STATE_KEY, null);
        for (String g : List.of("old-0", "old-1", "old-2")) {
            next(DISPATCH, g, dispatched(g));
        }
        Dispatcher d = dispatcher(3);
        d.catchUp();
        d.step();
        assertFalse(d.restart().fromState());
        assertEquals(3L, d.restart().recordsRead().get(DISPATCH));
        assertEquals(new Dispatcher.Counts(3, 0, 3, 0, 0, Map.of("p", 3L)), d.restart().counts());
    }

    static PromptStats kept(String prompt, long groups, long kept) {
        return PromptStats.newBuilder(stats(prompt, groups)).setKeptGroups(kept).build();
    }

    @Test
    void withEtaZeroItDispatchesOneBatchThenWaitsForTheTrainerAndDroppedGroupsAreReplaced() {
        // B = 2, eta = 0: (0 + v + 1) * 2 - (accepted + in flight) groups may go
        DispatchSettings settings = new DispatchSettings(2, 100, 1f, 5, 42, 1, 0, 2, 600_000);
        Dispatcher d = new Dispatcher(settings, settings.admission(), new UniformSelector(), CATALOG, SERDES, consumer,
                producer, null, 60_000, "run1");
        d.catchUp();
        next(PROMPTS, "a", prompt("a"));
        d.step();
        d.step();
        assertEquals(2, sentDispatches().size(), "v = 0: one batch of 2 groups");
        // both resolved, one kept, one dropped (equal rewards): 2 - (1 + 0) = 1 more, to fill the batch
        next(STATS, "a", kept("a", 2, 1));
        d.step();
        d.step();
        assertEquals(3, sentDispatches().size());
        // the third resolved and kept: the batch is full (2 accepted), nothing goes until it is trained
        next(STATS, "a", kept("a", 3, 2));
        for (int i = 0; i < 3; i++) {
            d.step();
        }
        assertEquals(3, sentDispatches().size(), "synchronous: the generators wait for the trainer");
        next(CHECKPOINTS, "policy", CheckpointPublished.newBuilder().setPolicyName("policy").setVersion(1)
                .setUri("file:/ckpt/1").setStep(1).setOffsets(List.of(new TopicPartitionOffset("rl.training-batches", 0, 1L))).setCreatedAt(Instant.EPOCH).build());
        d.step();
        d.step();
        // v = 1: (0 + 1 + 1) * 2 - 2 = 2, the next batch
        assertEquals(5, sentDispatches().size());
        assertEquals(1, sentDispatches().get(4).getPolicyVersion());
    }

    @Test
    void waitsForPromptsAndDeadLettersWhatItCannotRead() {
        Dispatcher d = dispatcher(3);
        d.catchUp();
        nextRaw(PROMPTS, "x", "garbage".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 3; i++) {
            d.step();
        }
        assertTrue(sentDispatches().isEmpty(), "no prompts, no dispatch");
        List<ProducerRecord<String, byte[]>> letters = producer.history().stream()
                .filter(r -> r.topic().equals(DEAD_LETTERS)).toList();
        assertEquals(1, letters.size());
        DeadLetter letter = SERDES.serde(DeadLetter.class).deserializer().deserialize(DEAD_LETTERS, letters.get(0).value());
        assertEquals(PROMPTS, letter.getSourceTopic());
        assertEquals(Dispatcher.SERVICE, letter.getService());
        assertTrue(letter.getError().contains("Prompt"), letter.getError());

        next(PROMPTS, "a", prompt("a"));
        d.step();
        d.step();
        assertEquals(3, sentDispatches().size());
    }

    static PromptStats stats(String prompt, long groups, double passRate, String groupId) {
        return PromptStats.newBuilder().setPromptId(prompt).setSamples(2 * groups).setGroups(groups).setPassRate(passRate)
                .setMovingAverage(passRate).setLastPolicyVersion(3).setUpdatedAt(Instant.EPOCH).setLastGroupId(groupId)
                .setLastGroupSamples(2).setLastGroupMeanReward(passRate).build();
    }

    private List<PromptSelection> selectionViews() {
        return producer.history().stream().filter(r -> r.topic().equals(SELECTION))
                .map(r -> SERDES.serde(PromptSelection.class).deserializer().deserialize(SELECTION, r.value()))
                .toList();
    }

    @Test
    void theConfiguredSelectorChoosesFromWhatThePromptStatsSayAndItsViewIsPublished() {
        // window [0.05, 0.95] without exploration; the stats say b always passes (above the window).
        // Each dispatched group comes back half right, so a and c enter the window and b, learnt,
        // is never dispatched.
        Dispatcher d = dispatcher(1, new PassRateWindowSelector(0.05, 0.95, 0.0));
        d.catchUp();
        next(STATS, "b", stats("b", 1, 1.0, "old-b"));
        for (String id : List.of("a", "b", "c")) {
            next(PROMPTS, id, prompt(id));
        }
        Map<String, Long> groupsOf = new HashMap<>();
        int answered = 0;
        for (int i = 0; i < 40; i++) {
            d.step();
            List<PromptDispatch> sent = sentDispatches();
            for (; answered < sent.size(); answered++) {
                PromptDispatch g = sent.get(answered);
                long n = groupsOf.merge(g.getPromptId(), 1L, Long::sum);
                next(STATS, g.getPromptId(), stats(g.getPromptId(), n, 0.5, g.getGroupId()));
            }
        }
        List<String> chosen = sentDispatches().stream().map(PromptDispatch::getPromptId).toList();
        assertTrue(chosen.size() >= 10, "groups kept being dispatched as they completed: " + chosen);
        assertTrue(chosen.stream().allMatch(id -> id.equals("a") || id.equals("c")), "never the learnt b: " + chosen);

        // the selector's view: b above the window with estimate 1, a in it with its dispatch count
        List<PromptSelection> views = selectionViews();
        PromptSelection lastB = views.stream().filter(v -> v.getPromptId().equals("b")).reduce((x, y) -> y).orElseThrow();
        assertEquals("above-window", lastB.getPool());
        assertEquals(1.0, lastB.getEstimate(), 1e-12);
        assertEquals(PassRateWindowSelector.NAME, lastB.getSelector());
        PromptSelection lastA = views.stream().filter(v -> v.getPromptId().equals("a")).reduce((x, y) -> y).orElseThrow();
        assertEquals("in-window", lastA.getPool());
        assertEquals("what is a?", lastA.getText());
        assertEquals(0.5, lastA.getEstimate(), 1e-12);
        assertEquals(chosen.stream().filter("a"::equals).count(), lastA.getSelected(), "selected counts a's dispatches");
        assertEquals(PassRateWindowSelector.NAME, d.selectorStatus().get("selector"));
    }

    @Test
    void theSameSeedChoosesTheSamePrompts() {
        List<String> first = choices();
        clients();
        nextOffset.clear();
        assertEquals(first, choices());
    }

    private List<String> choices() {
        Dispatcher d = dispatcher(20);
        d.catchUp();
        for (String id : List.of("a", "b", "c", "d", "e")) {
            next(PROMPTS, id, prompt(id));
        }
        for (int i = 0; i < 7; i++) {
            d.step();
        }
        List<String> ids = sentDispatches().stream().map(PromptDispatch::getPromptId).toList();
        assertEquals(20, ids.size());
        return ids;
    }
}
