package io.rlstream.producers.rollouts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.PromptDispatch;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The http generator against {@code rlstream serve}'s server in a second process, where the
 * server says no: a 4xx is never retried, a checkpoint the server cannot load leaves it (and the
 * rollouts) on the old version with the server's reason, and vLLM's sync resumes the server even
 * after a failed reload.
 */
class HttpGeneratorServeIT {

    @TempDir
    static Path dir;
    private static ServeProcess server;

    @BeforeAll
    static void serve() throws Exception {
        Path v0 = dir.resolve("v0");
        try (Policy p = Policy.create(PolicyConfig.demo(), 3)) {
            p.save(v0, Map.of("version", "0"));
        }
        int port = HttpGeneratorTest.freePort();
        server = ServeProcess.start(v0, port, "0", dir.resolve("serve.log"));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        server.close();
    }

    @Test
    void aRequestTheServerRefusesIsNotRetriedAndSaysWhy() throws Exception {
        try (HttpGenerator g = generator("sglang", 3)) {
            // the demo model's context is 16 tokens: 100 new tokens are a 400 (GenerationJob)
            List<Rollout> rollouts = g.generate(List.of(dispatch("too-long", 2, 100)));
            assertEquals(2, rollouts.size());
            for (Rollout r : rollouts) {
                assertEquals(SampleStatus.FAILED, r.getStatus());
                assertTrue(r.getError().contains("failed after 1 tries: HTTP 400") && r.getError().contains("context length"),
                        r.getError());
            }
        }
    }

    @Test
    void sglangCheckpointTheServerCannotLoadKeepsTheOldVersion() throws Exception {
        try (HttpGenerator g = generator("sglang", 1)) {
            RolloutGenerator.WeightSync sync = g.load(checkpoint(7, dir.resolve("missing-v7")));
            // SGLang answers a failed load with 400 {"success": false, "message"}: not retried, its message kept
            assertTrue(sync.failure().contains("/update_weights_from_disk failed after 1 tries: HTTP 400")
                    && sync.failure().contains("not a folder"), sync.failure());
            assertEquals(0, g.servedVersion());
            assertEquals("0", server.weightVersion());
            for (Rollout r : g.generate(List.of(dispatch("after-failed-sync", 2, 6)))) {
                assertEquals(SampleStatus.OK, r.getStatus(), r.getError());
                assertEquals(0, r.getPolicyVersion(), "the server says it still serves 0 (meta_info.weight_version)");
            }
        }
    }

    @Test
    void openaiFailedReloadIsRetriedAsA5xxAndTheServerIsResumed() throws Exception {
        try (HttpGenerator g = generator("openai", 1)) {
            RolloutGenerator.WeightSync sync = g.load(checkpoint(7, dir.resolve("missing-v7")));
            assertTrue(sync.failure().contains("/collective_rpc failed after 2 tries: HTTP 500"), sync.failure());
            assertEquals(0, g.servedVersion());
            HttpResponse<String> paused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    server.address().resolve("/is_paused")).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(paused.body().contains("\"is_paused\":false"), "POST /resume followed the failure: " + paused.body());
            for (Rollout r : g.generate(List.of(dispatch("after-failed-reload", 2, 6)))) {
                assertEquals(SampleStatus.OK, r.getStatus(), r.getError());
                assertEquals(0, r.getPolicyVersion());
            }
        }
    }

    private static HttpGenerator generator(String backend, int retries) {
        return HttpGenerator.open(HttpGeneratorTest.config(backend, server.address().toString(), 60_000, retries),
                dir.resolve("v0"), 0);
    }

    private static CheckpointPublished checkpoint(long version, Path folder) {
        return CheckpointPublished.newBuilder().setPolicyName("demo").setVersion(version)
                .setUri(folder.toUri().toString()).setStep(version).setCreatedAt(Instant.now()).build();
    }

    private static PromptDispatch dispatch(String group, int g, int maxNewTokens) {
        return PromptDispatch.newBuilder().setGroupId(group).setPromptId("p-" + group).setPromptText("3+4=")
                .setGroupSize(g).setMaxNewTokens(maxNewTokens).setTemperature(1.0f).setPolicyVersion(0)
                .setDispatchedAt(Instant.now()).build();
    }
}
