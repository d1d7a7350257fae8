package io.rlstream.producers.rollouts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.rlstream.tokens.Tokens;
import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.PromptDispatch;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PipelineFixture;
import com.sun.net.httpserver.HttpServer;
import io.rlstream.events.Metric;
import io.rlstream.monitoring.metrics.MetricCatalog;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker generating through {@code rlstream serve}'s server in a second process, on a real
 * broker: rollouts carry the server's tokens and log-probs, a checkpoint announced mid-run is
 * loaded by the server and later rollouts carry its version, a server killed mid-run gives FAILED
 * rollouts with the reason and the worker goes on once it is back; a server that hangs hits the
 * time-outs of the weight sync and of the generation requests.
 *
 * <p>The independent check of "the server's tokens and log-probs": the policy of the served
 * weights, loaded here, scores each served response teacher-forced
 * ({@link Policy#responseLogprobs}, a different code path from the incremental sampler the server
 * runs), and must give the served log-probs to 1e-4 (importance ratio 1 at equal weights). The two
 * checkpoints have different random weights, so the log-probs also tell which one served.
 */
class RolloutWorkerHttpIT {

    private static final float TEMPERATURE = 1.0f;

    @TempDir
    Path dir;

    @Test
    void sglangBackendThroughAServeProcess() throws Exception {
        run("sglang");
    }

    @Test
    void openaiBackendThroughAServeProcess() throws Exception {
        run("openai");
    }

    /**
     * A server that accepts requests and never answers (a JDK HttpServer here: the one case where a
     * stand-in is enough): the weight sync of a new checkpoint times out, which the worker counts
     * and survives, and the groups time out into FAILED rollouts that keep the old version.
     */
    @Test
    void aServerThatHangsHitsTheTimeOuts() throws Exception {
        Path v0 = dir.resolve("v0");
        try (Policy p0 = Policy.create(PolicyConfig.demo(), 3); Policy p1 = Policy.create(PolicyConfig.demo(), 11)) {
            p0.save(v0, Map.of("version", "0"));
            p1.save(dir.resolve("v1"), Map.of("version", "1"));
        }
        CountDownLatch release = new CountDownLatch(1);
        HttpServer hang = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hang.createContext("/", exchange -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        hang.setExecutor(Executors.newCachedThreadPool());
        hang.start();
        try (PipelineFixture pipeline = PipelineFixture.start(new TopicCatalog("hh.", 1))) {
            Map<String, Object> settings = pipeline.serviceSettings();
            settings.put(WorkerConfig.BACKEND, "sglang");
            settings.put(WorkerConfig.URL, "http://127.0.0.1:" + hang.getAddress().getPort());
            settings.put(WorkerConfig.MODEL, v0.toString());
            settings.put(WorkerConfig.WORKER_ID, "http-hang");
            settings.put(WorkerConfig.REQUEST_TIMEOUT_MS, "500");
            settings.put(WorkerConfig.SYNC_TIMEOUT_MS, "700");
            RolloutWorker worker = new RolloutWorker(new WorkerConfig(settings));
            Thread thread = new Thread(worker, "worker");
            thread.start();
            try {
                pipeline.send(Topic.CHECKPOINTS, "demo", CheckpointPublished.newBuilder().setPolicyName("demo")
                        .setVersion(1).setUri(dir.resolve("v1").toUri().toString()).setStep(1)
                        .setCreatedAt(Instant.now()).build());
                Metric failures = pipeline.await(Topic.METRICS, Metric.class,
                        m -> m.getName().equals(MetricCatalog.WORKER_WEIGHT_SYNC_FAILURES.name()), Duration.ofSeconds(60));
                assertEquals(1.0, failures.getValue());
                assertEquals(0, failures.getPolicyVersion(), "still serving version 0");
                Metric seconds = pipeline.await(Topic.METRICS, Metric.class,
                        m -> m.getName().equals(MetricCatalog.WORKER_WEIGHT_SYNC_SECONDS.name()), Duration.ofSeconds(10));
                assertEquals("failed", seconds.getTags().get("outcome"));
                assertTrue(seconds.getValue() >= 0.7, "the sync waited its time-out of 0.7 s: " + seconds.getValue());

                pipeline.sendAll(Topic.PROMPT_DISPATCH, PromptDispatch::getGroupId, List.of(dispatch("h1", "1+1=", 2)));
                for (Rollout r : awaitGroups(pipeline, List.of("h1"), 2)) {
                    assertEquals(SampleStatus.FAILED, r.getStatus());
                    assertEquals(0, r.getPolicyVersion());
                    assertTrue(r.getError().contains("got no answer within 500 ms"), r.getError());
                }
            } finally {
                worker.stop();
                release.countDown();
                thread.join(30_000);
                hang.stop(0);
            }
        }
    }

    private void run(String backend) throws Exception {
        Path v0 = dir.resolve("v0");
        Path v1 = dir.resolve("v1");
        try (Policy p0 = Policy.create(PolicyConfig.demo(), 3); Policy p1 = Policy.create(PolicyConfig.demo(), 11)) {
            p0.save(v0, Map.of("version", "0"));
            p1.save(v1, Map.of("version", "1"));
        }
        int port = HttpGeneratorTest.freePort();
        String prefix = backend.charAt(0) + "h.";
        try (PipelineFixture pipeline = PipelineFixture.start(new TopicCatalog(prefix, 1));
                Policy score0 = Policy.load(v0); Policy score1 = Policy.load(v1)) {
            ServeProcess server = ServeProcess.start(v0, port, "0", dir.resolve("serve-1.log"));
            Map<String, Object> settings = pipeline.serviceSettings();
            settings.put(WorkerConfig.BACKEND, backend);
            settings.put(WorkerConfig.URL, server.address().toString());
            settings.put(WorkerConfig.MODEL, v0.toString());
            settings.put(WorkerConfig.WORKER_ID, "http-" + backend);
            settings.put(WorkerConfig.RETRIES, "1");
            settings.put(WorkerConfig.REQUEST_TIMEOUT_MS, "60000");
            RolloutWorker worker = new RolloutWorker(new WorkerConfig(settings));
            // its /ready: not before the weights are loaded and it takes dispatches (issue 19)
            assertFalse(worker.ready(), "ready before it ran");
            Thread thread = new Thread(worker, "worker");
            thread.start();
            try {
                // 1. the server's samples of version 0
                pipeline.sendAll(Topic.PROMPT_DISPATCH, PromptDispatch::getGroupId,
                        List.of(dispatch("a1", "12+30=", 3), dispatch("a2", "5+5=", 2)));
                List<Rollout> first = awaitGroups(pipeline, List.of("a1", "a2"), 5);
                assertTrue(worker.ready(), "ready once it generates");
                for (Rollout r : first) {
                    assertEquals(SampleStatus.OK, r.getStatus(), r.getError());
                    assertEquals(0, r.getPolicyVersion());
                    assertServedBy(score0, r);
                }

                // 2. a checkpoint mid-run: the server loads it, later rollouts carry version 1
                pipeline.send(Topic.CHECKPOINTS, "demo", CheckpointPublished.newBuilder().setPolicyName("demo")
                        .setVersion(1).setUri(v1.toUri().toString()).setStep(1).setCreatedAt(Instant.now()).build());
                // the serve process reports what it loaded (vLLM-style reloads too: the folder's metadata.json
                // version); the worker's loop finishes a sync before it polls the next dispatch
                awaitServerVersion(server, "1");

                // 2b. a checkpoint with a NaN weight: checked before the server is asked, a dead letter, version 1 serves on
                Path nan = dir.resolve("v2-nan");
                try (Policy p = Policy.load(v1)) {
                    var params = p.parameters();
                    var last = params.get(params.size() - 1).getValue().getArray();
                    float[] values = last.toFloatArray();
                    values[0] = Float.NaN;
                    last.set(values);
                    p.save(nan, Map.of("version", "2"));
                }
                pipeline.send(Topic.CHECKPOINTS, "demo", CheckpointPublished.newBuilder().setPolicyName("demo")
                        .setVersion(2).setUri(nan.toUri().toString()).setStep(2).setCreatedAt(Instant.now()).build());
                io.rlstream.events.DeadLetter rejected = pipeline.await(Topic.DEAD_LETTERS, io.rlstream.events.DeadLetter.class,
                        d -> d.getSourceTopic().equals(pipeline.topic(Topic.CHECKPOINTS)), Duration.ofSeconds(60));
                assertEquals(1, rejected.getSourceOffset());
                assertTrue(rejected.getError().contains("non-finite"), rejected.getError());
                assertEquals("1", server.weightVersion());
                pipeline.sendAll(Topic.PROMPT_DISPATCH, PromptDispatch::getGroupId, List.of(dispatch("b1", "7+8=", 3)));
                for (Rollout r : awaitGroups(pipeline, List.of("b1"), 3)) {
                    assertEquals(SampleStatus.OK, r.getStatus(), r.getError());
                    assertEquals(1, r.getPolicyVersion());
                    assertServedBy(score1, r);
                }

                // 3. the server dies: FAILED rollouts with the reason; back again: OK rollouts
                server.kill();
                pipeline.sendAll(Topic.PROMPT_DISPATCH, PromptDispatch::getGroupId, List.of(dispatch("c1", "1+1=", 2)));
                for (Rollout r : awaitGroups(pipeline, List.of("c1"), 2)) {
                    assertEquals(SampleStatus.FAILED, r.getStatus());
                    assertTrue(r.getError().startsWith("generation request failed: ") && r.getError().contains("tries"),
                            r.getError());
                }
                server = ServeProcess.start(v1, port, "1", dir.resolve("serve-2.log"));
                pipeline.sendAll(Topic.PROMPT_DISPATCH, PromptDispatch::getGroupId, List.of(dispatch("d1", "2+3=", 2)));
                for (Rollout r : awaitGroups(pipeline, List.of("d1"), 2)) {
                    assertEquals(SampleStatus.OK, r.getStatus(), r.getError());
                    assertEquals(1, r.getPolicyVersion());
                    assertServedBy(score1, r);
                }
            } finally {
                worker.stop();
                thread.join(30_000);
                server.close();
            }
        }
    }

    /** The served log-probs are the served weights' own: teacher-forced scoring of the same ids gives them to 1e-4. */
    private static void assertServedBy(Policy policy, Rollout r) {
        int[] prompt = Tokens.promptIds(r);
        int[] response = Tokens.responseIds(r);
        float[] logprobs = Tokens.logprobs(r);
        assertTrue(response.length > 0 && response.length == logprobs.length, r.toString());
        assertTrue(response.length <= r.getMaxNewTokens(), r.toString());
        try (NDManager scope = policy.newScope()) {
            float[] expected = policy.responseLogprobs(scope, List.of(prompt), List.of(response), TEMPERATURE, false)
                    .logprobs().toFloatArray();
            for (int j = 0; j < response.length; j++) {
                assertEquals(expected[j], logprobs[j], 1e-4, r.getRolloutId() + " token " + j);
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

    private static void awaitServerVersion(ServeProcess server, String version) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (version.equals(server.weightVersion())) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the server did not reach weight version " + version);
    }

    private static PromptDispatch dispatch(String group, String text, int g) {
        return PromptDispatch.newBuilder().setGroupId(group).setPromptId("p-" + group).setPromptText(text)
                .setGroupSize(g).setTemperature(TEMPERATURE).setMaxNewTokens(6).setPolicyVersion(0)
                .setDispatchedAt(Instant.now()).build();
    }
}
