package io.rlstream.producers.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import io.rlstream.producers.rollouts.WorkerConfig;
import io.rlstream.producers.rollouts.http.ServerCalls;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bearer token of rlstream serve's state-changing endpoints, against the real server: without
 * the token (or with another) a weight update, pause or cache reset is 401 and changes nothing;
 * with it, it works; generation needs none. The worker's HTTP client sends the token of its
 * generate.token / generate.token.file setting.
 */
class InferenceServerTokenTest {

    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static HttpResponse<String> post(InferenceServer s, String path, String body, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(s.address().resolve(path)).header("Content-Type", "application/json");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.send(b.POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void stateChangingEndpointsNeedTheTokenAndGenerationDoesNot() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        try (Policy pa = Policy.create(PolicyConfig.demo(), 7); Policy pb = Policy.create(PolicyConfig.demo(), 99)) {
            pa.save(a, Map.of("version", "a1"));
            pb.save(b, Map.of("version", "b1"));
        }
        try (InferenceServer s = InferenceServer.start(a, "tiny", "v0", "127.0.0.1", 0,
                InferenceServer.DEFAULT_MAX_BATCH_ROWS, AdminToken.of("s3cret"))) {
            String update = "{\"model_path\": \"" + b + "\", \"weight_version\": \"b1\"}";
            for (String auth : new String[] {null, "Bearer wrong", "s3cret", "Basic s3cret"}) {
                HttpResponse<String> refused = post(s, "/update_weights_from_disk", update, auth);
                assertEquals(401, refused.statusCode(), "Authorization: " + auth);
                assertEquals("Bearer", refused.headers().firstValue("WWW-Authenticate").orElse(""));
                assertEquals("{\"error\":\"Unauthorized\"}", refused.body());
            }
            assertEquals("v0", s.weightVersion(), "a refused update changes nothing");
            for (String path : new String[] {"/pause", "/resume", "/reset_prefix_cache", "/collective_rpc"}) {
                assertEquals(401, post(s, path, "{}", null).statusCode(), path);
            }
            assertFalse(s.model().paused(), "a refused pause does not pause");

            // generation is not guarded
            HttpResponse<String> generated = post(s, "/v1/completions",
                    "{\"prompt\": [1, 2, 3], \"max_tokens\": 2, \"temperature\": 1.0}", null);
            assertEquals(200, generated.statusCode(), generated.body());

            // with the token: the update is served
            HttpResponse<String> ok = post(s, "/update_weights_from_disk", update, "Bearer s3cret");
            assertEquals(200, ok.statusCode(), ok.body());
            assertEquals("b1", s.weightVersion());

            // the worker's client sends its setting's token; without one it gets the 401 as its error
            WorkerConfig withToken = new WorkerConfig(Map.of(WorkerConfig.TOKEN, "s3cret"));
            ServerCalls calls = new ServerCalls(s.address(), 0, Duration.ofSeconds(5), withToken.bearerToken());
            calls.post("/update_weights_from_disk", JSON.readTree("{\"model_path\": \"" + a + "\", \"weight_version\": \"a1\"}"),
                    Duration.ofSeconds(30));
            assertEquals("a1", s.weightVersion());
            ServerCalls without = new ServerCalls(s.address(), 0, Duration.ofSeconds(5), new WorkerConfig(Map.of()).bearerToken());
            ServerCalls.ServerCallException e = assertThrows(ServerCalls.ServerCallException.class,
                    () -> without.post("/pause", null, Duration.ofSeconds(5)));
            assertTrue(e.getMessage().contains("HTTP 401"), e.getMessage());
        }
    }

    @Test
    void tokensComeFromAFileOrTheEnvironmentAndAreNeverPrinted() throws Exception {
        Path file = dir.resolve("token");
        Files.writeString(file, "from-file\nsecond line ignored\n");
        AdminToken fromFile = AdminToken.resolve(file, Map.of(AdminToken.ENV, "from-env")).orElseThrow();
        assertTrue(fromFile.accepts("Bearer from-file"), "the file wins over the environment");
        assertFalse(fromFile.accepts("Bearer from-env"));
        assertTrue(AdminToken.resolve(null, Map.of(AdminToken.ENV, "from-env")).orElseThrow().accepts("bearer from-env"));
        assertTrue(AdminToken.resolve(null, Map.of()).isEmpty(), "no token: none");
        assertEquals("AdminToken[hidden]", fromFile.toString());
        Files.writeString(file, "\n");
        assertThrows(IllegalArgumentException.class, () -> AdminToken.resolve(file, Map.of()));

        Path workerFile = dir.resolve("worker-token");
        Files.writeString(workerFile, "w-token\n");
        WorkerConfig config = new WorkerConfig(Map.of(WorkerConfig.TOKEN, "setting", WorkerConfig.TOKEN_FILE, workerFile.toString()));
        assertEquals("w-token", config.bearerToken(), "generate.token.file wins over generate.token");
        assertFalse(new WorkerConfig(Map.of(WorkerConfig.TOKEN, "setting")).toString().contains("setting"),
                "a password setting is never printed with the config");
    }
}
