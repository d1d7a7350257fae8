package io.rlstream.producers.rollouts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.DeadLetter;
import io.rlstream.events.Metric;
import io.rlstream.events.PromptDispatch;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import io.rlstream.monitoring.metrics.MetricCatalog;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PipelineFixture;
import io.rlstream.tokens.Tokens;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The race of issue 21's rebalance run, on a real broker with real checkpoint folders: the trainer
 * publishes about a version a second and keeps 5 folders, so a worker that starts (or lags) can
 * read announcements whose folders retention already deleted. Such a folder is gone, not bad: the
 * worker writes no dead letter for it, reads rl.checkpoints on and takes the newer version whose
 * folder exists; only when nothing newer comes within worker.checkpoint.wait.ms does it stop, with
 * one line that names the versions and the retention. A folder whose checkpoint directory is
 * missing too stays a bad checkpoint (a dead letter, as rlstream poison's missing-folder record).
 */
class RolloutWorkerPrunedCheckpointIT {

    private static final float TEMPERATURE = 1.0f;

    @TempDir
    Path dir;

    @Test
    void aWorkerSkipsAnnouncementsWhoseFoldersAreGoneAtStartAndWhileRunning() throws Exception {
        try (PipelineFixture pipeline = PipelineFixture.start(new TopicCatalog("pc.", 1))) {
            // versions 1-3 announced, their folders pruned (never written here): what a late starter replays
            for (long v = 1; v <= 3; v++) {
                pipeline.send(Topic.CHECKPOINTS, "demo", announce(v, dir.resolve("v" + v)));
            }
            Map<String, Object> settings = pipeline.serviceSettings();
            settings.put(WorkerConfig.WORKER_ID, "gone-start");
            settings.put(WorkerConfig.CHECKPOINT_WAIT_MS, "40000");
            RolloutWorker worker = new RolloutWorker(new WorkerConfig(settings));
            Thread thread = new Thread(worker, "worker");
            WorkerLog log = WorkerLog.attach();
            thread.start();
            try {
                // the worker tried versions 3, 2, 1, found their folders gone and says so; it waits for a newer one
                // (before the fix it stopped here with "no checkpoint ... loads" and dead letters for all three)
                log.await("gone-start: the folders of announced policy versions 1-3 are gone");
                Thread.sleep(500);
                assertTrue(thread.isAlive(), "the worker waits for a newer announcement: " + worker.failure());
                assertFalse(worker.ready(), "nothing loaded yet");
                Path v4 = dir.resolve("v4");
                try (Policy p = Policy.create(PolicyConfig.demo(), 4)) {
                    p.save(v4, Map.of("version", "4"));
                }
                pipeline.send(Topic.CHECKPOINTS, "demo", announce(4, v4));
                pipeline.sendAll(Topic.PROMPT_DISPATCH, PromptDispatch::getGroupId, List.of(dispatch("a1", "1+2=", 2)));
                try (Policy score4 = Policy.load(v4)) {
                    for (Rollout r : awaitGroups(pipeline, List.of("a1"), 2)) {
                        assertEquals(SampleStatus.OK, r.getStatus(), r.getError());
                        assertEquals(4, r.getPolicyVersion(), "started on the newer version whose folder exists");
                        assertServedBy(score4, r);
                    }
                }

                // while running: version 5's folder is gone by the time the worker reads it, version 6 follows
                pipeline.send(Topic.CHECKPOINTS, "demo", announce(5, dir.resolve("v5")));
                log.await("gone-start: skipped policy version 5: its folder " + dir.resolve("v5").toUri() + " is gone");
                Path v6 = dir.resolve("v6");
                try (Policy p = Policy.create(PolicyConfig.demo(), 6)) {
                    p.save(v6, Map.of("version", "6"));
                }
                pipeline.send(Topic.CHECKPOINTS, "demo", announce(6, v6));
                log.await("gone-start: loaded policy version 6");
                pipeline.sendAll(Topic.PROMPT_DISPATCH, PromptDispatch::getGroupId, List.of(dispatch("b1", "3+4=", 2)));
                try (Policy score6 = Policy.load(v6)) {
                    for (Rollout r : awaitGroups(pipeline, List.of("b1"), 2)) {
                        assertEquals(SampleStatus.OK, r.getStatus(), r.getError());
                        assertEquals(6, r.getPolicyVersion());
                        assertServedBy(score6, r);
                    }
                }
                // dead letters are committed before the rollouts generated after them, so all of them are readable now
                List<DeadLetter> deadLetters = pipeline.readToEnd(Topic.DEAD_LETTERS, DeadLetter.class);
                assertEquals(List.of(), deadLetters, "a folder that is gone is no bad checkpoint");
                // counted instead: versions 1-3 at start, 5 while running
                Metric skipped = pipeline.await(Topic.METRICS, Metric.class,
                        m -> m.getName().equals(MetricCatalog.WORKER_CHECKPOINTS_SKIPPED.name()) && m.getValue() == 4.0,
                        Duration.ofSeconds(30));
                assertNotNull(skipped, "worker.checkpoints_skipped reached 4");
                assertTrue(thread.isAlive());
            } finally {
                worker.stop();
                thread.join(30_000);
                log.close();
            }
            assertNull(worker.failure());
        }
    }

    @Test
    void aStartWhereEveryAnnouncedFolderIsGoneStopsAfterTheWaitWithOneLine() throws Exception {
        try (PipelineFixture pipeline = PipelineFixture.start(new TopicCatalog("pg.", 1))) {
            // versions 1, 2, 3 and 5 pruned from the checkpoint folder (it exists); version 4 (offset 3) in a folder
            // whose parent does not exist either: not pruned but bad (this worker does not see where it is), a dead letter
            for (long v : new long[] {1, 2, 3, 4, 5}) {
                Path folder = v == 4 ? dir.resolve("not-mounted").resolve("v4") : dir.resolve("v" + v);
                pipeline.send(Topic.CHECKPOINTS, "demo", announce(v, folder));
            }
            Map<String, Object> settings = pipeline.serviceSettings();
            settings.put(WorkerConfig.WORKER_ID, "gone-all");
            settings.put(WorkerConfig.CHECKPOINT_WAIT_MS, "3000");
            RolloutWorker worker = new RolloutWorker(new WorkerConfig(settings));
            Thread thread = new Thread(worker, "worker");
            thread.setUncaughtExceptionHandler((t, e) -> { });
            long start = System.nanoTime();
            thread.start();
            thread.join(60_000);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertFalse(thread.isAlive(), "the worker stops instead of waiting forever");
            assertTrue(seconds >= 3.0, "it waited worker.checkpoint.wait.ms (3 s) for a newer announcement, stopped after "
                    + seconds + " s");
            assertNotNull(worker.failure());
            String line = worker.failure().getMessage();
            assertFalse(line.contains("\n"), line);
            // versions 1, 2, 3 and 5 as ranges; the newest's folder named; the setting and the retention to look at
            assertTrue(line.contains("no checkpoint of policy 'demo'") && line.contains("versions 1-3, 5 are gone")
                    && line.contains(dir.resolve("v5").toUri().toString()) && line.contains("1 other announcements do not load")
                    && line.contains("worker.checkpoint.wait.ms=3000") && line.contains("trainer.checkpoints.keep"), line);
            List<DeadLetter> deadLetters = pipeline.readToEnd(Topic.DEAD_LETTERS, DeadLetter.class);
            assertEquals(1, deadLetters.size(), "only version 4's; a folder that is gone is no bad checkpoint: " + deadLetters);
            assertEquals(3, deadLetters.get(0).getSourceOffset());
            assertTrue(deadLetters.get(0).getError().contains("checkpoint version 4 does not load")
                    && deadLetters.get(0).getError().contains("does not exist"), deadLetters.get(0).getError());
        }
    }

    /** RolloutWorker's log lines, to know what the worker did before the test goes on (logback, the tests' backend). */
    private static final class WorkerLog extends AppenderBase<ILoggingEvent> implements AutoCloseable {
        private final List<String> lines = new CopyOnWriteArrayList<>();
        private final Logger logger = (Logger) LoggerFactory.getLogger(RolloutWorker.class);

        static WorkerLog attach() {
            WorkerLog log = new WorkerLog();
            log.start();
            log.logger.addAppender(log);
            return log;
        }

        @Override
        protected void append(ILoggingEvent event) {
            lines.add(event.getFormattedMessage());
        }

        void await(String part) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                if (lines.stream().anyMatch(l -> l.contains(part))) {
                    return;
                }
                Thread.sleep(50);
            }
            throw new AssertionError("the worker never logged '" + part + "'; it logged " + lines);
        }

        @Override
        public void close() {
            logger.detachAppender(this);
            stop();
        }
    }

    private static CheckpointPublished announce(long version, Path folder) {
        return CheckpointPublished.newBuilder().setPolicyName("demo").setVersion(version)
                .setUri(folder.toUri().toString()).setStep(version).setCreatedAt(Instant.now()).build();
    }

    /** The rollouts' log-probs are the weights' own: teacher-forced scoring of the same ids gives them to 1e-4. */
    private static void assertServedBy(Policy policy, Rollout r) {
        int[] prompt = Tokens.promptIds(r);
        int[] response = Tokens.responseIds(r);
        float[] logprobs = Tokens.logprobs(r);
        assertTrue(response.length > 0 && response.length == logprobs.length, r.toString());
        try (NDManager scope = policy.newScope()) {
            float[] expected = policy.responseLogprobs(scope, List.of(prompt), List.of(response), TEMPERATURE, false)
                    .logprobs().toFloatArray();
            for (int j = 0; j < response.length; j++) {
                assertEquals(expected[j], logprobs[j], 1e-4, r.getRolloutId() + " token " + j);
            }
        }
    }

    private static List<Rollout> awaitGroups(PipelineFixture pipeline, List<String> groups, int count)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        List<Rollout> found = List.of();
        while (System.nanoTime() < deadline) {
            found = pipeline.readToEnd(Topic.ROLLOUTS, Rollout.class).stream()
                    .filter(r -> groups.contains(r.getGroupId())).toList();
            if (found.size() >= count) {
                return found;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("expected " + count + " rollouts of " + groups + ", got " + found.size());
    }

    private static PromptDispatch dispatch(String group, String text, int g) {
        return PromptDispatch.newBuilder().setGroupId(group).setPromptId("p-" + group).setPromptText(text)
                .setGroupSize(g).setTemperature(TEMPERATURE).setMaxNewTokens(6).setPolicyVersion(0)
                .setDispatchedAt(Instant.now()).build();
    }
}
