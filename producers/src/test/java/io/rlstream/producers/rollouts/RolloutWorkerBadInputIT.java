package io.rlstream.producers.rollouts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Poison records on the worker's inputs, on a real broker, local backend: bad checkpoint
 * announcements (forged high version, truncated safetensors, a tensor of the wrong shape, NaN
 * weights, undecodable bytes) are dead letters with the source offset and counted in
 * worker.checkpoints_rejected; the worker keeps its last good weights (checked independently: the
 * rollouts' log-probs are those of the good checkpoint scored teacher-forced, to 1e-4, so a
 * half-loaded model would show), a later good checkpoint still loads, and a start that replays a
 * newest announcement whose folder is missing falls back to the newest one that loads (a missing
 * folder is skipped without a dead letter: RolloutWorkerPrunedCheckpointIT). Bad dispatches (wrong Avro
 * type, undecodable, empty, tombstone, group_size 0) are dead letters; a group that cannot be
 * generated (prompt longer than the context) is FAILED rollouts while the group beside it is OK.
 */
class RolloutWorkerBadInputIT {

    private static final float TEMPERATURE = 1.0f;

    @TempDir
    Path dir;

    @Test
    void badCheckpointsAreSkippedAndTheLastGoodWeightsServe() throws Exception {
        Path good1 = dir.resolve("good1");
        Path good2 = dir.resolve("good2");
        Path nan = dir.resolve("nan");
        Path other = dir.resolve("other");
        try (Policy p1 = Policy.create(PolicyConfig.demo(), 3); Policy p2 = Policy.create(PolicyConfig.demo(), 11);
                Policy pn = Policy.create(PolicyConfig.demo(), 5)) {
            p1.save(good1, Map.of("version", "1"));
            p2.save(good2, Map.of("version", "9"));
            // NaN in the last parameter: a loader that copied tensors before checking would be half-loaded
            var params = pn.parameters();
            NDArray last = params.get(params.size() - 1).getValue().getArray();
            float[] values = last.toFloatArray();
            values[values.length - 1] = Float.NaN;
            last.set(values);
            pn.save(nan, Map.of("version", "7"));
        }
        try (Policy po = Policy.create(new PolicyConfig(PolicyConfig.demo().vocabSize(), 16, 128, 2, 4, 256), 4)) {
            po.save(other, Map.of());
        }
        Path truncated = copy(good1, dir.resolve("truncated"));
        Path weights = safetensors(truncated);
        try (FileChannel ch = FileChannel.open(weights, StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(weights) - 1000);
        }
        Path wrongShape = copy(good1, dir.resolve("wrong-shape"));
        Files.copy(safetensors(other), safetensors(wrongShape), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        try (PipelineFixture pipeline = PipelineFixture.start(new TopicCatalog("bc.", 1));
                Policy score1 = Policy.load(good1); Policy score2 = Policy.load(good2)) {
            // history before the worker starts: a good version 1 (offset 0), a forged version 1000 at a missing folder
            // (offset 1): it must neither stop the start nor hide the lower versions announced after it; a missing
            // folder is skipped, not dead-lettered (a pruned one looks the same: RolloutWorkerPrunedCheckpointIT)
            pipeline.send(Topic.CHECKPOINTS, "demo", announce(1, good1));
            pipeline.send(Topic.CHECKPOINTS, "demo", announce(1000, dir.resolve("missing")));
            Map<String, Object> settings = pipeline.serviceSettings();
            settings.put(WorkerConfig.WORKER_ID, "bad-ckpt");
            RolloutWorker worker = new RolloutWorker(new WorkerConfig(settings));
            Thread thread = new Thread(worker, "worker");
            thread.start();
            try {
                pipeline.sendAll(Topic.PROMPT_DISPATCH, PromptDispatch::getGroupId, List.of(dispatch("a1", "1+2=", 2)));
                for (Rollout r : awaitGroups(pipeline, List.of("a1"), 2)) {
                    assertEquals(SampleStatus.OK, r.getStatus(), r.getError());
                    assertEquals(1, r.getPolicyVersion(), "fell back to the newest announcement that loads");
                    assertServedBy(score1, r);
                }
                assertEquals(List.of(), pipeline.readToEnd(Topic.DEAD_LETTERS, DeadLetter.class),
                        "the missing folder of version 1000 is skipped, not dead-lettered");

                // offsets 2..6: truncated, wrong shape, NaN weights, undecodable, empty
                pipeline.send(Topic.CHECKPOINTS, "demo", announce(6, truncated));
                pipeline.send(Topic.CHECKPOINTS, "demo", announce(7, wrongShape));
                pipeline.send(Topic.CHECKPOINTS, "demo", announce(8, nan));
                pipeline.sendBytes(Topic.CHECKPOINTS, "demo", new byte[] {0, 1, 2, 3, 4, 5, 6});
                pipeline.sendBytes(Topic.CHECKPOINTS, "demo", new byte[0]);
                Map<Long, String> expected = Map.of(2L, "truncat", 3L, "has shape", 4L, "non-finite", 5L,
                        "invalid checkpoint announcement", 6L, "empty record");
                for (Map.Entry<Long, String> e : expected.entrySet()) {
                    DeadLetter d = awaitDeadLetter(pipeline, x -> x.getSourceOffset() == e.getKey());
                    assertTrue(d.getError().contains(e.getValue()), e.getKey() + ": " + d.getError());
                    assertEquals("rollout-worker", d.getService());
                }
                Metric rejected = pipeline.await(Topic.METRICS, Metric.class,
                        m -> m.getName().equals(MetricCatalog.WORKER_CHECKPOINTS_REJECTED.name()) && m.getValue() == 5.0,
                        Duration.ofSeconds(30));
                assertNotNull(rejected);
                pipeline.sendAll(Topic.PROMPT_DISPATCH, PromptDispatch::getGroupId, List.of(dispatch("b1", "3+4=", 2)));
                for (Rollout r : awaitGroups(pipeline, List.of("b1"), 2)) {
                    assertEquals(SampleStatus.OK, r.getStatus(), r.getError());
                    assertEquals(1, r.getPolicyVersion(), "the last good weights");
                    assertServedBy(score1, r);
                }

                // a later good checkpoint (below the forged 1000, above the last good) still loads
                pipeline.send(Topic.CHECKPOINTS, "demo", announce(9, good2));
                Thread.sleep(1500);
                pipeline.sendAll(Topic.PROMPT_DISPATCH, PromptDispatch::getGroupId, List.of(dispatch("c1", "5+5=", 2)));
                for (Rollout r : awaitGroups(pipeline, List.of("c1"), 2)) {
                    assertEquals(SampleStatus.OK, r.getStatus(), r.getError());
                    assertEquals(9, r.getPolicyVersion());
                    assertServedBy(score2, r);
                }

                // offset 8: a forged high version of a real folder (good1 holds version 1): refused, version 9 serves on
                pipeline.send(Topic.CHECKPOINTS, "demo", announce(1_000_000, good1));
                DeadLetter forged = awaitDeadLetter(pipeline, x -> x.getSourceOffset() == 8);
                assertTrue(forged.getError().contains("holds version 1 (its metadata.json) but was announced as version"
                        + " 1000000"), forged.getError());
                pipeline.sendAll(Topic.PROMPT_DISPATCH, PromptDispatch::getGroupId, List.of(dispatch("d1", "2+2=", 2)));
                for (Rollout r : awaitGroups(pipeline, List.of("d1"), 2)) {
                    assertEquals(9, r.getPolicyVersion(), "still the last good weights");
                    assertServedBy(score2, r);
                }
                assertTrue(thread.isAlive());
            } finally {
                worker.stop();
                thread.join(30_000);
            }
            assertEquals(null, worker.failure());
        }
    }

    @Test
    void aStartWhereNoAnnouncedCheckpointLoadsStopsWithOneClearLine() throws Exception {
        try (PipelineFixture pipeline = PipelineFixture.start(new TopicCatalog("bn.", 1))) {
            // a folder that is there but holds no checkpoint: bad, not gone (a gone one: RolloutWorkerPrunedCheckpointIT)
            pipeline.send(Topic.CHECKPOINTS, "demo", announce(3, Files.createDirectories(dir.resolve("empty"))));
            Map<String, Object> settings = pipeline.serviceSettings();
            settings.put(WorkerConfig.WORKER_ID, "no-ckpt");
            RolloutWorker worker = new RolloutWorker(new WorkerConfig(settings));
            Thread thread = new Thread(worker, "worker");
            thread.setUncaughtExceptionHandler((t, e) -> { });
            thread.start();
            thread.join(60_000);
            assertFalse(thread.isAlive(), "the worker stops instead of waiting forever");
            assertNotNull(worker.failure());
            String line = worker.failure().getMessage();
            assertTrue(line.contains("no checkpoint of policy 'demo'") && line.contains("worker.model") && !line.contains("\n"),
                    line);
            DeadLetter d = awaitDeadLetter(pipeline, x -> x.getSourceOffset() == 0);
            assertTrue(d.getError().contains("checkpoint version 3 does not load"), d.getError());

            // a worker.model folder that does not load: the same, one line naming the setting
            settings.put(WorkerConfig.MODEL, dir.resolve("no-model").toString());
            RolloutWorker second = new RolloutWorker(new WorkerConfig(settings));
            Thread secondThread = new Thread(second, "worker-2");
            secondThread.setUncaughtExceptionHandler((t, e) -> { });
            secondThread.start();
            secondThread.join(60_000);
            assertFalse(secondThread.isAlive());
            assertNotNull(second.failure());
            String modelLine = second.failure().getMessage();
            assertTrue(modelLine.startsWith("worker.model ") && modelLine.contains("does not load") && !modelLine.contains("\n"),
                    modelLine);
        }
    }

    @Test
    void badDispatchesAreDeadLettersAndAGroupThatCannotBeGeneratedFails() throws Exception {
        Path v0 = dir.resolve("v0");
        try (Policy p0 = Policy.create(PolicyConfig.demo(), 3)) {
            p0.save(v0, Map.of("version", "0"));
        }
        try (PipelineFixture pipeline = PipelineFixture.start(new TopicCatalog("bd.", 1))) {
            Map<String, Object> settings = pipeline.serviceSettings();
            settings.put(WorkerConfig.WORKER_ID, "bad-dispatch");
            settings.put(WorkerConfig.MODEL, v0.toString());
            RolloutWorker worker = new RolloutWorker(new WorkerConfig(settings));
            // offsets 0..4: wrong Avro type, undecodable, empty, tombstone, group_size 0; then two groups of the same
            // settings in one poll, one with a prompt longer than the demo model's context of 16
            pipeline.send(Topic.PROMPT_DISPATCH, "x", announce(1, v0));
            pipeline.sendBytes(Topic.PROMPT_DISPATCH, "x", new byte[] {9, 9, 9});
            pipeline.sendBytes(Topic.PROMPT_DISPATCH, "x", new byte[0]);
            pipeline.sendBytes(Topic.PROMPT_DISPATCH, "x", null);
            pipeline.sendAll(Topic.PROMPT_DISPATCH, PromptDispatch::getGroupId, List.of(
                    PromptDispatch.newBuilder(dispatch("z0", "1+1=", 2)).setGroupSize(0).build(),
                    dispatch("long", "1234567890+1234567890=", 2), dispatch("ok", "2+2=", 2)));
            Thread thread = new Thread(worker, "worker");
            thread.start();
            try {
                Map<Long, String> expected = Map.of(0L, "invalid dispatch", 1L, "invalid dispatch", 2L, "empty record",
                        3L, "empty record", 4L, "group_size");
                for (Map.Entry<Long, String> e : expected.entrySet()) {
                    DeadLetter d = awaitDeadLetter(pipeline, x -> x.getSourceOffset() == e.getKey()
                            && x.getSourceTopic().equals(pipeline.topic(Topic.PROMPT_DISPATCH)));
                    assertTrue(d.getError().contains(e.getValue()), e.getKey() + ": " + d.getError());
                }
                List<Rollout> rollouts = awaitGroups(pipeline, List.of("long", "ok"), 4);
                for (Rollout r : rollouts) {
                    if (r.getGroupId().equals("ok")) {
                        assertEquals(SampleStatus.OK, r.getStatus(), r.getError());
                    } else {
                        assertEquals(SampleStatus.FAILED, r.getStatus());
                        assertTrue(r.getError() != null && !r.getError().isBlank());
                    }
                }
                assertTrue(thread.isAlive());
            } finally {
                worker.stop();
                thread.join(30_000);
            }
        }
    }

    private static Path copy(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }

    private static Path safetensors(Path folder) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            List<Path> found = files.filter(f -> f.toString().endsWith(".safetensors")).toList();
            assertEquals(1, found.size(), found.toString());
            return found.get(0);
        }
    }

    private static CheckpointPublished announce(long version, Path folder) {
        return CheckpointPublished.newBuilder().setPolicyName("demo").setVersion(version)
                .setUri(folder.toUri().toString()).setStep(version).setCreatedAt(Instant.now()).build();
    }

    private static DeadLetter awaitDeadLetter(PipelineFixture pipeline, Predicate<DeadLetter> wanted) {
        return pipeline.await(Topic.DEAD_LETTERS, DeadLetter.class, wanted, Duration.ofSeconds(60));
    }

    /** The served log-probs are the served weights' own: teacher-forced scoring of the same ids gives them to 1e-4. */
    private static void assertServedBy(Policy policy, Rollout r) {
        int[] prompt = Tokens.promptIds(r);
        int[] response = Tokens.responseIds(r);
        float[] logprobs = Tokens.logprobs(r);
        assertTrue(response.length > 0 && response.length == logprobs.length, r.toString());
        try (NDManager scope = policy.newScope()) {
            float[] expected = policy.responseLogprobs(scope, List.of(prompt), List.of(response), TEMPERATURE, false)
                    .logprobs().toFloatArray();
            for (int j = 0; j < response.length; j++) {
                assertEquals(expected[j], logprobs[j], 1e-4, r.getRolloutId() + " token " + j + " " + Arrays.toString(logprobs));
            }
        }
    }

    private static List<Rollout> awaitGroups(PipelineFixture pipeline, List<String> groups, int count) {
        Predicate<Rollout> wanted = r -> groups.contains(r.getGroupId());
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        List<Rollout> found = List.of();
        while (System.nanoTime() < deadline) {
            found = pipeline.readToEnd(Topic.ROLLOUTS, Rollout.class).stream().filter(wanted).toList();
            if (found.size() >= count) {
                return found;
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("expected " + count + " rollouts of " + groups + ", got " + found.size());
    }

    private static PromptDispatch dispatch(String group, String text, int g) {
        return PromptDispatch.newBuilder().setGroupId(group).setPromptId("p-" + group).setPromptText(text)
                .setGroupSize(g).setTemperature(TEMPERATURE).setMaxNewTokens(6).setPolicyVersion(0)
                .setDispatchedAt(Instant.now()).build();
    }
}
