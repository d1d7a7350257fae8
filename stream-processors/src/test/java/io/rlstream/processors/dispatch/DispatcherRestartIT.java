package io.rlstream.processors.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.Prompt;
import io.rlstream.events.PromptDispatch;
import io.rlstream.events.TopicPartitionOffset;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.processors.ProcessorsFixture;
import io.rlstream.processors.config.ProcessorsConfig;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PipelineFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: a restarted dispatcher restores its counts from rl.dispatcher-state instead of reading
 * all of rl.prompt-dispatch and its inputs. Checked against the independent reference, a dispatcher
 * that reads the whole history as every start did before (the old code path, {@code readHistory}):
 * after a clean stop and after a stop that leaves no final state (what a kill -9 leaves on the
 * topics), and after a SIGKILL of a dispatcher in its own process while it dispatches, the
 * restored dispatcher has the same dispatched, resolved and in-flight counts, the same
 * per-prompt selection counts, policy version and batches written, reads only the dispatches
 * written after its state, and no group id is ever dispatched twice.
 */
class DispatcherRestartIT {

    private static final TopicCatalog CATALOG = TopicCatalog.defaults();
    private static final int CAP = 8;

    @RegisterExtension
    final PipelineFixture pipeline = PipelineFixture.extension(CATALOG);
    @TempDir
    Path stateDir;

    private ProcessorsConfig config(long stateIntervalMs) {
        return ProcessorsFixture.config(pipeline, stateDir, Map.of(
                "group.size", "2",
                "dispatch.max-in-flight-groups", Integer.toString(CAP),
                "dispatch.state.interval.ms", Long.toString(stateIntervalMs),
                "dispatch.query.port", "-1"));
    }

    /** A dispatcher on its own thread, caught up with its inputs. */
    private record Running(Dispatcher dispatcher, Thread thread) {

        void stop(boolean save) throws InterruptedException {
            if (save) {
                dispatcher.stop();
            } else {
                dispatcher.stopWithoutSaving();
            }
            thread.join(30_000);
            assertFalse(thread.isAlive(), "the dispatcher stopped");
        }
    }

    private Running start(long stateIntervalMs, boolean readHistory) throws InterruptedException {
        Dispatcher d = new Dispatcher(config(stateIntervalMs), null);
        if (readHistory) {
            d.readHistory();
        }
        Thread t = new Thread(d, "dispatcher-under-test");
        t.start();
        ProcessorsFixture.await(() -> d.restart() != null, Duration.ofSeconds(60), "the dispatcher caught up");
        return new Running(d, t);
    }

    /** What a run knew when it stopped, in the form of what a restart must restore. */
    private static Dispatcher.Counts afterStop(Dispatcher d) {
        Dispatcher.Snapshot s = d.snapshot();
        return new Dispatcher.Counts(s.dispatched(), s.completed(), s.inFlight(), s.policyVersion(), d.batchesWritten(),
                d.selectedByPrompt());
    }

    /** The reference: what a dispatcher that reads the whole history (and only reads) knows once it has read it. */
    private Dispatcher.Restart reference() throws InterruptedException {
        Running ref = start(60_000, true);
        ref.stop(false);
        assertFalse(ref.dispatcher().restart().fromState());
        return ref.dispatcher().restart();
    }

    private static TrainingBatchGroup batchRecord(String batchId, int index) {
        return TrainingBatchGroup.newBuilder().setBatchId(batchId).setBatchSequence(0).setGroupIndex(index)
                .setBatchGroups(2).setBatchSamples(0).setMinPolicyVersion(0).setMaxPolicyVersion(0)
                .setFilterStats(Map.of()).setGroupId("g-" + batchId + "-" + index).setPromptId("a").setEstimator("grpo")
                .setSamples(List.of()).setCreatedAt(Instant.EPOCH).build();
    }

    /** Answers groups for a while, then waits until the dispatcher has refilled its cap and everything answered is counted. */
    private static void answerThenFill(GroupingStandIn grouping, Dispatcher d, Duration time) throws InterruptedException {
        grouping.answer(time);
        long answered = grouping.groupsByPrompt().values().stream().mapToLong(Long::longValue).sum();
        ProcessorsFixture.await(() -> d.snapshot().completed() == answered && d.snapshot().inFlight() == CAP,
                Duration.ofSeconds(20), "all " + answered + " answered groups counted and " + CAP + " in flight");
    }

    @Test
    void aRestartRestoresTheCountsOfTheWholeHistoryFromItsStateAndDispatchesNoGroupTwice() throws Exception {
        pipeline.sendAll(Topic.PROMPTS, Prompt::getPromptId, List.of("a", "b", "c", "d", "e").stream()
                .map(id -> Prompt.newBuilder().setPromptId(id).setText(id).setCreatedAt(Instant.now()).build()).toList());
        for (long v = 1; v <= 2; v++) {
            pipeline.send(Topic.CHECKPOINTS, "demo", CheckpointPublished.newBuilder().setPolicyName("demo").setVersion(v)
                    .setUri("file:/v" + v).setStep(v).setOffsets(List.of(new TopicPartitionOffset("rl.training-batches", 0, (long) v))).setCreatedAt(Instant.now()).build());
        }
        // 3 batches of 2 records each (contiguous, keyed by batch id): 3 written, v2, 1 ahead: the lag gate is open
        for (String b : List.of("b1", "b2", "b3")) {
            for (int i = 0; i < 2; i++) {
                pipeline.send(Topic.TRAINING_BATCHES, b, batchRecord(b, i));
            }
        }
        try (GroupingStandIn grouping = new GroupingStandIn(pipeline, id -> 0.5, true)) {
            // run 1 on an empty cluster: no state yet, nothing dispatched before
            Running first = start(300, false);
            assertFalse(first.dispatcher().restart().fromState(), "no state on a fresh cluster");
            answerThenFill(grouping, first.dispatcher(), Duration.ofSeconds(2));
            first.stop(true);
            Dispatcher.Counts afterFirst = afterStop(first.dispatcher());
            assertTrue(afterFirst.dispatched() > 3 * CAP, "a history to restore: " + afterFirst);

            Dispatcher.Counts expected = reference().counts();
            assertEquals(afterFirst, expected, "the full re-read agrees with the run that dispatched");
            assertEquals(new Dispatcher.Counts(afterFirst.dispatched(), afterFirst.dispatched() - CAP, CAP, 2, 3,
                    expected.selected()), expected, "by hand: the cap in flight, v2, 3 batches");

            // run 2: restored from the state its predecessor wrote on stopping
            Running second = start(60_000, false);
            Dispatcher.Restart restart = second.dispatcher().restart();
            assertTrue(restart.fromState(), restart.toString());
            assertEquals(expected, restart.counts(), "restored after a clean stop");
            assertEquals(0L, restart.recordsRead().getOrDefault(pipeline.topic(Topic.PROMPT_DISPATCH), 0L),
                    "a clean stop leaves no dispatch after the state: " + restart);
            assertEquals(0L, restart.recordsRead().getOrDefault(pipeline.topic(Topic.TRAINING_BATCHES), 0L),
                    "the batches are not read again: " + restart);
            assertEquals(0L, restart.recordsRead().getOrDefault(pipeline.topic(Topic.CHECKPOINTS), 0L), restart.toString());
            // answer more, then stop as a killed process would: its state is the one written on catching up
            long before = afterFirst.dispatched(); // what it restored, all in the state written on catching up
            answerThenFill(grouping, second.dispatcher(), Duration.ofMillis(1500));
            second.stop(false);
            Dispatcher.Counts afterSecond = afterStop(second.dispatcher());
            long dispatchedBySecond = afterSecond.dispatched() - before;
            assertTrue(dispatchedBySecond > 0, "the second run dispatched");

            Dispatcher.Counts expected2 = reference().counts();
            assertEquals(afterSecond, expected2);
            Running third = start(60_000, false);
            third.stop(true);
            Dispatcher.Restart restart3 = third.dispatcher().restart();
            assertTrue(restart3.fromState());
            assertEquals(expected2, restart3.counts(), "restored after a stop without a final state");
            assertEquals(dispatchedBySecond, restart3.recordsRead().get(pipeline.topic(Topic.PROMPT_DISPATCH)),
                    "exactly the dispatches written after the state: " + restart3);

            // no group dispatched twice over the three runs
            List<PromptDispatch> all = pipeline.readToEnd(Topic.PROMPT_DISPATCH, PromptDispatch.class);
            Set<String> ids = new HashSet<>();
            all.forEach(d -> assertTrue(ids.add(d.getGroupId()), "dispatched twice: " + d.getGroupId()));
            assertEquals(expected2.dispatched(), all.size());
        }
    }

    @Test
    void aDispatcherKilledMidWayRestartsWithTheCountsOfTheWholeHistory() throws Exception {
        pipeline.sendAll(Topic.PROMPTS, Prompt::getPromptId, List.of("a", "b", "c", "d", "e").stream()
                .map(id -> Prompt.newBuilder().setPromptId(id).setText(id).setCreatedAt(Instant.now()).build()).toList());
        List<String> args = new ArrayList<>();
        config(300).originals().forEach((k, v) -> args.add(k + "=" + v));
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(javaBin.toString(), "-cp", System.getProperty("java.class.path"),
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.rlstream.events", DispatcherProcess.class.getName()));
        command.addAll(args);
        Process child = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(stateDir.resolve("dispatcher.log").toFile()).start();
        try (GroupingStandIn grouping = new GroupingStandIn(pipeline, id -> 0.5, true)) {
            // the stand-in answers until 1 s after the kill; the child is killed (SIGKILL) 3 s after its
            // first group, while it dispatches one group for each one answered
            AtomicBoolean killed = new AtomicBoolean();
            CompletableFuture<List<PromptDispatch>> answering = CompletableFuture
                    .supplyAsync(() -> {
                        List<PromptDispatch> seen = new ArrayList<>();
                        while (!killed.get()) {
                            seen.addAll(grouping.answer(Duration.ofMillis(200)));
                        }
                        seen.addAll(grouping.answer(Duration.ofSeconds(1)));
                        return seen;
                    });
            pipeline.readValues(Topic.PROMPT_DISPATCH, PromptDispatch.class, 1, Duration.ofSeconds(60));
            Thread.sleep(3_000);
            child.destroyForcibly().waitFor();
            killed.set(true);
            List<PromptDispatch> answered = answering.get();
            assertTrue(answered.size() > CAP, "the child dispatched as groups completed: " + answered.size());

            Dispatcher.Restart expected = reference();
            Running restored = start(60_000, false);
            restored.stop(true);
            Dispatcher.Restart restart = restored.dispatcher().restart();
            assertTrue(restart.fromState(), restart.toString());
            assertEquals(expected.counts(), restart.counts(), "restored after kill -9");
            long tail = restart.recordsRead().get(pipeline.topic(Topic.PROMPT_DISPATCH));
            assertTrue(tail < expected.counts().dispatched(), "read the dispatches after the state only: " + restart);

            List<PromptDispatch> all = pipeline.readToEnd(Topic.PROMPT_DISPATCH, PromptDispatch.class);
            assertEquals(all.size(), all.stream().map(PromptDispatch::getGroupId).distinct().count(), "no group twice");
        } finally {
            child.destroyForcibly();
        }
    }
}
