package io.rlstream.producers.rollouts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.rlstream.events.FinishReason;
import io.rlstream.events.PromptDispatch;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The http generator where no server answers: a group is G FAILED rollouts with the reason, never
 * silence and never a zero reward. The server that hangs is a JDK HttpServer in this test that
 * never answers (the one case where a stand-in server is enough); a generator against the real
 * {@code rlstream serve} process is {@code RolloutWorkerHttpIT}.
 */
class HttpGeneratorTest {

    @TempDir
    static Path dir;
    private static Path model;

    @BeforeAll
    static void saveModel() {
        model = dir.resolve("model");
        try (Policy p = Policy.create(PolicyConfig.demo(), 3)) {
            p.save(model, Map.of("version", "0"));
        }
    }

    @Test
    void aServerThatNeverAnswersHitsTheTimeOutAndTheGroupFails() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger requests = new AtomicInteger();
        HttpServer hang = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hang.createContext("/", exchange -> {
            requests.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        hang.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        hang.start();
        String url = "http://127.0.0.1:" + hang.getAddress().getPort();
        try (HttpGenerator g = HttpGenerator.open(config("sglang", url, 300, 3), model, 0)) {
            long start = System.nanoTime();
            List<Rollout> rollouts = g.generate(List.of(dispatch("g1", 3), dispatch("g2", 2)));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(5, rollouts.size());
            for (Rollout r : rollouts) {
                assertEquals(SampleStatus.FAILED, r.getStatus());
                assertEquals(FinishReason.ERROR, r.getFinishReason());
                assertTrue(r.getError().contains("got no answer within 300 ms"), r.getError());
            }
            // both groups in flight at once (max-concurrency 8): about one time-out, not two; a time-out is not retried
            assertTrue(seconds < 0.3 * 2 + 0.25, "took " + seconds + " s");
            assertEquals(2, requests.get(), "one request per group, none repeated");
        }
        Map<String, Object> one = new java.util.HashMap<>(config("sglang", url, 300, 3).originals());
        one.put(WorkerConfig.MAX_CONCURRENCY, 1);
        try (HttpGenerator g = HttpGenerator.open(new WorkerConfig(one), model, 0)) {
            long start = System.nanoTime();
            assertEquals(5, g.generate(List.of(dispatch("g1", 3), dispatch("g2", 2))).size());
            double seconds = (System.nanoTime() - start) / 1e9;
            // max-concurrency 1: the second request waits for the first's time-out
            assertTrue(seconds >= 0.3 * 2, "took " + seconds + " s");
        } finally {
            release.countDown();
            hang.stop(0);
        }
    }

    @Test
    void noServerIsAConnectionErrorRetriedThenFailedRollouts() throws Exception {
        int port = freePort();
        try (HttpGenerator g = HttpGenerator.open(config("openai", "http://127.0.0.1:" + port, 1000, 2), model, 0)) {
            long start = System.nanoTime();
            List<Rollout> rollouts = g.generate(List.of(dispatch("g1", 2)));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(2, rollouts.size());
            assertEquals(List.of("g1/0", "g1/1"), rollouts.stream().map(Rollout::getRolloutId).toList());
            for (Rollout r : rollouts) {
                assertEquals(SampleStatus.FAILED, r.getStatus());
                assertTrue(r.getError().contains("failed after 3 tries") && r.getError().contains("cannot connect"), r.getError());
                assertEquals(0, r.getPolicyVersion());
            }
            // two retries wait 0.2 s and 0.4 s (ServerCalls' backoff)
            assertTrue(seconds >= 0.6, "took " + seconds + " s");
        }
    }

    @Test
    void aFailedWeightSyncKeepsTheOldVersionAndSaysWhy() throws Exception {
        int port = freePort();
        try (HttpGenerator g = HttpGenerator.open(config("sglang", "http://127.0.0.1:" + port, 1000, 0), model, 4)) {
            RolloutGenerator.WeightSync sync = g.load(io.rlstream.events.CheckpointPublished.newBuilder()
                    .setPolicyName("demo").setVersion(5).setUri(dir.resolve("v5").toUri().toString()).setStep(5)
                    .setCreatedAt(Instant.now()).build());
            assertTrue(sync.remote());
            assertTrue(sync.failure().contains("as version 5") && sync.failure().contains("/update_weights_from_disk"),
                    sync.failure());
            assertEquals(4, g.servedVersion());
        }
    }

    /** A port nothing listens on now (the OS's pick, closed again). */
    static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static WorkerConfig config(String backend, String url, long timeoutMs, int retries) {
        return new WorkerConfig(Map.of(WorkerConfig.BACKEND, backend, WorkerConfig.URL, url,
                WorkerConfig.REQUEST_TIMEOUT_MS, timeoutMs, WorkerConfig.SYNC_TIMEOUT_MS, timeoutMs,
                WorkerConfig.RETRIES, retries, WorkerConfig.WORKER_ID, "w-http"));
    }

    static PromptDispatch dispatch(String group, int g) {
        return PromptDispatch.newBuilder().setGroupId(group).setPromptId("p-" + group).setPromptText("12+30=")
                .setGroupSize(g).setMaxNewTokens(6).setTemperature(1.0f).setPolicyVersion(0)
                .setDispatchedAt(Instant.now()).build();
    }
}
