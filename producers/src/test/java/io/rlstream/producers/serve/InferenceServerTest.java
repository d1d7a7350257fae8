package io.rlstream.producers.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlstream.model.Generation;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import io.rlstream.model.tokenizer.CharTokenizer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server over real HTTP (java.net.http against the JDK server on a free port), checked
 * against the same model folder loaded independently as a {@link Policy}: its greedy decoding and
 * its teacher-forced {@link Policy#responseLogprobs} (one full forward pass, no KV cache) are the
 * reference numbers.
 */
class InferenceServerTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final CharTokenizer CHARS = CharTokenizer.arithmetic();
    static final int[] PROMPT = CHARS.encodePrompt("3+4=");
    static final int[] OTHER = CHARS.encodePrompt("51+7=");

    static Path dirA;
    static Path dirB;
    static Policy refA;
    static Policy refB;
    static InferenceServer server;

    @BeforeAll
    static void start() throws Exception {
        Path root = Files.createTempDirectory("serve-test");
        dirA = root.resolve("a");
        dirB = root.resolve("b");
        try (Policy a = Policy.create(PolicyConfig.demo(), 7); Policy b = Policy.create(PolicyConfig.demo(), 99)) {
            a.save(dirA, Map.of("version", "a1"));
            b.save(dirB, Map.of("version", "b1"));
        }
        refA = Policy.load(dirA);
        refB = Policy.load(dirB);
        server = InferenceServer.start(dirA, "tiny", "v0", "127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        server.close();
        refA.close();
        refB.close();
    }

    static HttpResponse<String> post(InferenceServer s, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(s.address().resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(InferenceServer s, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(s.address().resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode ok(HttpResponse<String> r) throws Exception {
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).intValue();
        }
        return out;
    }

    static String ids(int[] ids) {
        return Arrays.toString(ids);
    }

    /** Teacher-forced log-probs of each response given its prompt at {@code temperature}: the reference. */
    static float[][] reference(Policy policy, List<int[]> prompts, List<int[]> responses, float temperature) {
        try (NDManager scope = policy.newScope()) {
            float[] flat = policy.responseLogprobs(scope, prompts, responses, temperature, false).logprobs()
                    .toFloatArray();
            int width = flat.length / prompts.size();
            float[][] out = new float[prompts.size()][];
            for (int r = 0; r < out.length; r++) {
                out[r] = Arrays.copyOfRange(flat, r * width, r * width + responses.get(r).length);
            }
            return out;
        }
    }

    @Test
    void healthAndModelsReportTheServedModelAndItsVersion() throws Exception {
        HttpResponse<String> health = get(server, "/health");
        assertEquals(200, health.statusCode());
        assertEquals("v0", health.headers().firstValue(InferenceServer.VERSION_HEADER).orElse(null));
        JsonNode models = ok(get(server, "/v1/models"));
        assertEquals("list", models.get("object").asText());
        JsonNode card = models.get("data").get(0);
        assertEquals("tiny", card.get("id").asText());
        assertEquals("model", card.get("object").asText());
        assertEquals(refA.contextLength(), card.get("max_model_len").asInt());
        assertEquals("v0", card.get("weight_version").asText());
        assertEquals("v0", ok(get(server, "/get_model_info")).get("weight_version").asText());
        // Without --weight-version: the folder's metadata.json version, else SGLang's "default".
        assertEquals("a1", InferenceServer.initialVersion(dirA));
        assertEquals(InferenceServer.DEFAULT_VERSION, InferenceServer.initialVersion(dirA.resolveSibling("none")));
    }

    @Test
    void greedyCompletionIsThePolicysGreedyGenerationWithItsLogprobs() throws Exception {
        int maxTokens = 8;
        Generation expected = refA.greedy(List.of(PROMPT), maxTokens).get(0);
        JsonNode r = ok(post(server, "/v1/completions", """
                {"model": "tiny", "prompt": %s, "max_tokens": %d, "temperature": 0, "logprobs": 0,
                 "return_tokens_as_token_ids": true, "return_token_ids": true}""".formatted(ids(PROMPT), maxTokens)));
        assertEquals("text_completion", r.get("object").asText());
        assertEquals("tiny", r.get("model").asText());
        assertTrue(r.get("id").asText().startsWith("cmpl-"));
        JsonNode choice = r.get("choices").get(0);
        int[] tokens = ints(choice.get("token_ids"));
        assertArrayEquals(expected.tokens(), tokens);
        assertArrayEquals(PROMPT, ints(choice.get("prompt_token_ids")));
        assertEquals(expected.truncated() ? "length" : "stop", choice.get("finish_reason").asText());
        assertEquals(CHARS.decode(tokens).replace("<eos>", ""), choice.get("text").asText().replace("<eos>", ""));
        JsonNode lp = choice.get("logprobs");
        // Greedy log-probs are those of the model's own distribution: temperature 1.
        float[] ref = reference(refA, List.of(PROMPT), List.of(tokens), 1f)[0];
        for (int j = 0; j < tokens.length; j++) {
            assertEquals("token_id:" + tokens[j], lp.get("tokens").get(j).asText());
            assertEquals(ref[j], lp.get("token_logprobs").get(j).asDouble(), 1e-5, "token " + j);
            assertEquals(lp.get("token_logprobs").get(j).asDouble(),
                    lp.get("top_logprobs").get(j).get("token_id:" + tokens[j]).asDouble());
        }
        // text_offset: the running sum of the previous tokens' lengths (vLLM's _create_completion_logprobs).
        int offset = 0;
        for (int j = 0; j < tokens.length; j++) {
            assertEquals(offset, lp.get("text_offset").get(j).asInt());
            offset += ("token_id:" + tokens[j]).length();
        }
        assertEquals(PROMPT.length, r.get("usage").get("prompt_tokens").asInt());
        assertEquals(tokens.length, r.get("usage").get("completion_tokens").asInt());
        assertEquals(PROMPT.length + tokens.length, r.get("usage").get("total_tokens").asInt());
    }

    @Test
    void sampledLogprobsAreThePolicysAtTheRequestTemperatureAndSeedsRepeat() throws Exception {
        float temperature = 0.7f;
        int n = 4;
        String body = """
                {"prompt": [%s, %s], "n": %d, "max_tokens": 9, "temperature": %s, "seed": 11, "logprobs": 0,
                 "return_token_ids": true}""".formatted(ids(PROMPT), ids(OTHER), n, temperature);
        JsonNode r = ok(post(server, "/v1/completions", body));
        JsonNode choices = r.get("choices");
        assertEquals(2 * n, choices.size());
        List<int[]> prompts = new ArrayList<>();
        List<int[]> responses = new ArrayList<>();
        for (int i = 0; i < choices.size(); i++) {
            assertEquals(i, choices.get(i).get("index").asInt());
            int[] prompt = i < n ? PROMPT : OTHER; // prompt-major, as vLLM orders choices
            assertArrayEquals(prompt, ints(choices.get(i).get("prompt_token_ids")));
            prompts.add(prompt);
            responses.add(ints(choices.get(i).get("token_ids")));
        }
        float[][] ref = reference(refA, prompts, responses, temperature);
        for (int i = 0; i < choices.size(); i++) {
            JsonNode logprobs = choices.get(i).get("logprobs").get("token_logprobs");
            assertEquals(responses.get(i).length, logprobs.size());
            for (int j = 0; j < ref[i].length; j++) {
                assertEquals(ref[i][j], logprobs.get(j).asDouble(), 1e-5, "choice " + i + " token " + j);
            }
        }
        // Same seed, same output; another seed, other samples.
        JsonNode again = ok(post(server, "/v1/completions", body));
        for (int i = 0; i < choices.size(); i++) {
            assertEquals(choices.get(i).get("token_ids"), again.get("choices").get(i).get("token_ids"));
        }
        JsonNode other = ok(post(server, "/v1/completions", body.replace("\"seed\": 11", "\"seed\": 12")));
        List<JsonNode> a = new ArrayList<>();
        List<JsonNode> b = new ArrayList<>();
        for (int i = 0; i < choices.size(); i++) {
            a.add(choices.get(i).get("token_ids"));
            b.add(other.get("choices").get(i).get("token_ids"));
        }
        assertNotEquals(a, b);
        // The n samples of one prompt are n draws, not one draw repeated.
        assertTrue(a.subList(0, n).stream().distinct().count() > 1, a.toString());
    }

    /**
     * logprobs = 3 at temperature 0: each position lists the 3 most probable tokens of the model's
     * distribution. Checked against teacher-forced scoring of every vocabulary token at that
     * position ({@link Policy#responseLogprobs} of the prefix followed by that token).
     */
    @Test
    void topLogprobsAreTheMostProbableTokensAsTeacherForcedScoringRanksThem() throws Exception {
        JsonNode r = ok(post(server, "/v1/completions", """
                {"prompt": %s, "max_tokens": 4, "temperature": 0, "logprobs": 3, "return_tokens_as_token_ids": true,
                 "return_token_ids": true}""".formatted(ids(PROMPT))));
        JsonNode choice = r.get("choices").get(0);
        int[] tokens = ints(choice.get("token_ids"));
        int vocab = refA.config().vocabSize();
        JsonNode sglang = ok(post(server, "/generate", """
                {"input_ids": %s, "sampling_params": {"temperature": 0, "max_new_tokens": 4}, "return_logprob": true,
                 "top_logprobs_num": 3}""".formatted(ids(PROMPT)))).get("meta_info").get("output_top_logprobs");
        for (int j = 0; j < tokens.length; j++) {
            List<int[]> prompts = new ArrayList<>();
            List<int[]> responses = new ArrayList<>();
            for (int v = 0; v < vocab; v++) {
                int[] response = Arrays.copyOf(tokens, j + 1);
                response[j] = v;
                prompts.add(PROMPT);
                responses.add(response);
            }
            float[][] scored = reference(refA, prompts, responses, 1f);
            Integer[] byProbability = new Integer[vocab];
            for (int v = 0; v < vocab; v++) {
                byProbability[v] = v;
            }
            final int at = j;
            Arrays.sort(byProbability, (a, b) -> Float.compare(scored[b][at], scored[a][at]));
            JsonNode top = choice.get("logprobs").get("top_logprobs").get(j);
            assertEquals(3, top.size(), "the greedy token is the most probable: 3 entries, " + top);
            assertEquals(tokens[j], (int) byProbability[0]);
            for (int i = 0; i < 3; i++) {
                int v = byProbability[i];
                assertEquals(scored[v][j], top.get("token_id:" + v).asDouble(), 1e-5, "position " + j + " rank " + i);
                assertEquals(v, sglang.get(j).get(i).get(1).asInt());
                assertEquals(scored[v][j], sglang.get(j).get(i).get(0).asDouble(), 1e-5);
            }
        }
    }

    @Test
    void stopTokenIdsEndTheCompletionAtTheirFirstOccurrence() throws Exception {
        int[] greedy = refA.greedy(List.of(PROMPT), 8).get(0).tokens();
        int stop = greedy[2];
        int end = 0;
        while (greedy[end] != stop) {
            end++;
        }
        int[] expected = Arrays.copyOf(greedy, end + 1);
        JsonNode choice = ok(post(server, "/v1/completions", """
                {"prompt": %s, "max_tokens": 8, "temperature": 0, "stop_token_ids": [%d], "return_token_ids": true}"""
                .formatted(ids(PROMPT), stop))).get("choices").get(0);
        assertArrayEquals(expected, ints(choice.get("token_ids")));
        assertEquals("stop", choice.get("finish_reason").asText());
        assertEquals(stop, choice.get("stop_reason").asInt());
        assertTrue(choice.get("logprobs").isNull(), "no logprobs unless asked");
    }

    @Test
    void sglangGenerateIsTheSameGenerationInSglangsShape() throws Exception {
        int[] greedy = refA.greedy(List.of(PROMPT), 6).get(0).tokens();
        float[] ref = reference(refA, List.of(PROMPT), List.of(greedy), 1f)[0];
        JsonNode r = ok(post(server, "/generate", """
                {"input_ids": %s, "sampling_params": {"temperature": 0, "max_new_tokens": 6},
                 "return_logprob": true, "rid": "req-1"}""".formatted(ids(PROMPT))));
        assertTrue(r.isObject(), "one prompt, n = 1: one object");
        assertArrayEquals(greedy, ints(r.get("output_ids")));
        JsonNode meta = r.get("meta_info");
        assertEquals("req-1", meta.get("id").asText());
        assertEquals("v0", meta.get("weight_version").asText());
        assertEquals(PROMPT.length, meta.get("prompt_tokens").asInt());
        assertEquals(greedy.length, meta.get("completion_tokens").asInt());
        boolean stopped = greedy[greedy.length - 1] == CharTokenizer.EOS;
        assertEquals(stopped ? "stop" : "length", meta.get("finish_reason").get("type").asText());
        JsonNode lps = meta.get("output_token_logprobs");
        for (int j = 0; j < greedy.length; j++) {
            assertEquals(ref[j], lps.get(j).get(0).asDouble(), 1e-5);
            assertEquals(greedy[j], lps.get(j).get(1).asInt());
            assertTrue(lps.get(j).get(2).isNull());
        }
        // A batch of input_ids, n = 3: a list of 2 * 3 outputs, prompt-major; sampled log-probs at the temperature.
        JsonNode batch = ok(post(server, "/generate", """
                {"input_ids": [%s, %s], "sampling_params": {"temperature": 1.3, "max_new_tokens": 5, "n": 3,
                 "sampling_seed": 4}, "return_logprob": true}""".formatted(ids(PROMPT), ids(OTHER))));
        assertEquals(6, batch.size());
        List<int[]> prompts = new ArrayList<>();
        List<int[]> responses = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            prompts.add(i < 3 ? PROMPT : OTHER);
            responses.add(ints(batch.get(i).get("output_ids")));
            assertEquals(prompts.get(i).length, batch.get(i).get("meta_info").get("prompt_tokens").asInt());
        }
        float[][] sampled = reference(refA, prompts, responses, 1.3f);
        for (int i = 0; i < 6; i++) {
            JsonNode out = batch.get(i).get("meta_info").get("output_token_logprobs");
            for (int j = 0; j < sampled[i].length; j++) {
                assertEquals(sampled[i][j], out.get(j).get(0).asDouble(), 1e-5);
            }
        }
    }

    @Test
    void concurrentRequestsGetWhatEachGetsAlone() throws Exception {
        List<String> bodies = new ArrayList<>();
        for (int s = 0; s < 6; s++) {
            bodies.add("""
                    {"prompt": %s, "max_tokens": 7, "temperature": 1.0, "seed": %d, "return_token_ids": true}"""
                    .formatted(ids(s % 2 == 0 ? PROMPT : OTHER), s));
        }
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (String body : bodies) {
            inFlight.add(HTTP.sendAsync(HttpRequest.newBuilder(server.address().resolve("/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (int s = 0; s < bodies.size(); s++) {
            JsonNode together = ok(inFlight.get(s).get(60, TimeUnit.SECONDS));
            JsonNode alone = ok(post(server, "/v1/completions", bodies.get(s)));
            assertEquals(alone.get("choices").get(0).get("token_ids"), together.get("choices").get(0).get("token_ids"));
        }
    }

    @Test
    void waitingRequestsOfTheSameSettingsRunAsOneBatchAndGetWhatEachGetsAlone() throws Exception {
        try (InferenceServer s = InferenceServer.start(dirA, "tiny", "v0", "127.0.0.1", 0)) {
            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                bodies.add("""
                        {"prompt": %s, "n": 2, "max_tokens": 6, "temperature": 0.9, "seed": %d, "logprobs": 0,
                         "return_token_ids": true}""".formatted(ids(i == 1 ? OTHER : PROMPT), 20 + i));
            }
            ok(post(s, "/pause", ""));
            List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
            for (String body : bodies) {
                inFlight.add(HTTP.sendAsync(HttpRequest.newBuilder(s.address().resolve("/v1/completions"))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (s.model().queued() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(3, s.model().queued(), "all three requests wait while paused");
            long before = s.model().batches();
            ok(post(s, "/resume", ""));
            List<JsonNode> together = new ArrayList<>();
            for (CompletableFuture<HttpResponse<String>> f : inFlight) {
                together.add(ok(f.get(60, TimeUnit.SECONDS)));
            }
            assertEquals(before + 1, s.model().batches(), "the three requests ran as one generation");
            for (int i = 0; i < bodies.size(); i++) {
                JsonNode alone = ok(post(s, "/v1/completions", bodies.get(i)));
                for (int c = 0; c < 2; c++) {
                    JsonNode a = alone.get("choices").get(c);
                    JsonNode t = together.get(i).get("choices").get(c);
                    assertEquals(a.get("token_ids"), t.get("token_ids"), "request " + i + " choice " + c);
                    for (int j = 0; j < a.get("token_ids").size(); j++) {
                        assertEquals(a.get("logprobs").get("token_logprobs").get(j).asDouble(),
                                t.get("logprobs").get("token_logprobs").get(j).asDouble(), 1e-5);
                    }
                }
            }
        }
    }

    @Test
    void badRequestsAre400sInTheProtocolsErrorShapeAndTheServerGoesOn() throws Exception {
        Map<String, String> cases = Map.of(
                "{not json", "not valid JSON",
                "{\"prompt\": %s, \"temperature\": \"hot\"}".formatted(ids(PROMPT)), "'temperature' must be a number",
                "{\"prompt\": [5, 999]}", "Token id 999 is out of vocabulary",
                "{\"prompt\": %s, \"max_tokens\": 16}".formatted(ids(PROMPT)), "maximum context length is 16",
                "{\"prompt\": []}", "cannot be empty",
                "{\"max_tokens\": 3}", "'prompt' is required",
                "{\"prompt\": [5], \"max_tokens\": 3, \"logprobs\": 21}", "logprobs must be between 0 and 20",
                "{\"prompt\": %s, \"max_tokens\": 3, \"stop_token_ids\": [-1]}".formatted(ids(PROMPT)), "out of vocabulary");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> r = post(server, "/v1/completions", c.getKey());
            assertEquals(400, r.statusCode(), c.getKey() + " -> " + r.body());
            JsonNode error = JSON.readTree(r.body()).get("error");
            assertTrue(error.get("message").asText().contains(c.getValue()), c.getKey() + " -> " + r.body());
            assertEquals("BadRequestError", error.get("type").asText());
            assertEquals(400, error.get("code").asInt());
        }
        HttpResponse<String> sglang = post(server, "/generate", "{\"input_ids\": [3, 100000]}");
        assertEquals(400, sglang.statusCode());
        JsonNode error = JSON.readTree(sglang.body()).get("error");
        assertTrue(error.get("message").asText().contains("out of vocabulary"), sglang.body());
        assertFalse(error.has("type"), "SGLang's error shape is {\"error\": {\"message\"}}");
        assertEquals(400, post(server, "/generate", "{\"sampling_params\": {}}").statusCode());
        // The demo tokenizer has no chat template: a clear 400, not a crash.
        HttpResponse<String> chat = post(server, "/v1/chat/completions",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"3+4=\"}]}");
        assertEquals(400, chat.statusCode(), chat.body());
        assertTrue(chat.body().contains("chat template"), chat.body());
        assertEquals(404, get(server, "/v2/nothing").statusCode());
        assertEquals(405, get(server, "/v1/completions").statusCode());
        assertEquals(200, get(server, "/health").statusCode());
    }

    @Test
    void weightUpdatesSwitchTheModelAndAFailedOneKeepsTheOld() throws Exception {
        try (InferenceServer s = InferenceServer.start(dirA, "tiny", "v0", "127.0.0.1", 0)) {
            int[] greedyA = refA.greedy(List.of(PROMPT), 8).get(0).tokens();
            int[] greedyB = refB.greedy(List.of(PROMPT), 8).get(0).tokens();
            assertFalse(Arrays.equals(greedyA, greedyB), "the two models must differ for this test to mean anything");
            String generate = """
                    {"input_ids": %s, "sampling_params": {"temperature": 0, "max_new_tokens": 8}}""".formatted(ids(PROMPT));
            assertArrayEquals(greedyA, ints(ok(post(s, "/generate", generate)).get("output_ids")));

            // SGLang: update_weights_from_disk with a weight_version.
            JsonNode updated = ok(post(s, "/update_weights_from_disk",
                    "{\"model_path\": \"%s\", \"weight_version\": \"v2\"}".formatted(dirB)));
            assertTrue(updated.get("success").asBoolean(), updated.toString());
            JsonNode afterB = ok(post(s, "/generate", generate));
            assertArrayEquals(greedyB, ints(afterB.get("output_ids")));
            assertEquals("v2", afterB.get("meta_info").get("weight_version").asText());
            assertEquals("v2", ok(get(s, "/v1/models")).get("data").get(0).get("weight_version").asText());

            // A folder that does not load: 400, success false with the reason, the old weights go on.
            Path missing = dirA.resolveSibling("no-such-model");
            HttpResponse<String> failed = post(s, "/update_weights_from_disk",
                    "{\"model_path\": \"%s\", \"weight_version\": \"v3\"}".formatted(missing));
            assertEquals(400, failed.statusCode());
            JsonNode reason = JSON.readTree(failed.body());
            assertFalse(reason.get("success").asBoolean());
            assertTrue(reason.get("message").asText().contains("no-such-model"), failed.body());
            JsonNode stillB = ok(post(s, "/generate", generate));
            assertArrayEquals(greedyB, ints(stillB.get("output_ids")));
            assertEquals("v2", stillB.get("meta_info").get("weight_version").asText());

            // vLLM dev mode: pause, reload_weights, reset_prefix_cache, resume; the version is the folder's metadata.
            assertEquals("paused", ok(post(s, "/pause", "")).get("status").asText());
            assertTrue(ok(get(s, "/is_paused")).get("is_paused").asBoolean());
            CompletableFuture<HttpResponse<String>> waiting = HTTP.sendAsync(
                    HttpRequest.newBuilder(s.address().resolve("/v1/completions")).POST(HttpRequest.BodyPublishers
                            .ofString("{\"prompt\": %s, \"max_tokens\": 8, \"temperature\": 0, \"return_token_ids\": true}"
                                    .formatted(ids(PROMPT)))).build(), HttpResponse.BodyHandlers.ofString());
            try {
                waiting.get(500, TimeUnit.MILLISECONDS);
                throw new AssertionError("a paused server must not generate");
            } catch (TimeoutException expected) {
                // still waiting, as it should
            }
            JsonNode rpc = ok(post(s, "/collective_rpc",
                    "{\"method\": \"reload_weights\", \"kwargs\": {\"weights_path\": \"%s\"}}".formatted(dirA)));
            assertTrue(rpc.get("results").isArray());
            assertEquals(200, post(s, "/reset_prefix_cache", "").statusCode());
            assertEquals("resumed", ok(post(s, "/resume", "")).get("status").asText());
            HttpResponse<String> resumed = waiting.get(60, TimeUnit.SECONDS);
            // Generated after the reload: model A's greedy output, tagged with A's metadata version.
            assertArrayEquals(greedyA, ints(ok(resumed).get("choices").get(0).get("token_ids")));
            assertEquals("a1", resumed.headers().firstValue(InferenceServer.VERSION_HEADER).orElse(null));
            HttpResponse<String> badRpc = post(s, "/collective_rpc",
                    "{\"method\": \"reload_weights\", \"kwargs\": {\"weights_path\": \"%s\"}}".formatted(missing));
            assertEquals(500, badRpc.statusCode());
            assertTrue(badRpc.body().contains("no-such-model"), badRpc.body());
            assertEquals("a1", s.weightVersion());
            assertEquals(400, post(s, "/collective_rpc", "{}").statusCode());
        }
    }

    /**
     * Folders that do not load as a whole (NaN weights, a truncated safetensors file, a tensor of the
     * wrong shape under the right config): each update is refused with the reason (SGLang 400,
     * vLLM 500) and the old weights keep serving, whole: the greedy output is still model A's, as
     * the reference policy of A computes it independently.
     */
    @Test
    void weightUpdatesFromBadFoldersAreRefusedAndTheOldWeightsServeWhole() throws Exception {
        Path root = Files.createTempDirectory("serve-bad");
        Path nan = root.resolve("nan");
        Path truncated = root.resolve("truncated");
        Path wrongShape = root.resolve("wrong-shape");
        try (Policy p = Policy.load(dirB)) {
            var params = p.parameters();
            var last = params.get(params.size() - 1).getValue().getArray();
            float[] values = last.toFloatArray();
            values[0] = Float.POSITIVE_INFINITY;
            values[values.length - 1] = Float.NaN;
            last.set(values);
            p.save(nan, Map.of("version", "nan"));
        }
        try (Policy p = Policy.load(dirB)) {
            p.save(truncated, Map.of("version", "truncated"));
            p.save(wrongShape, Map.of("version", "wrong-shape"));
        }
        Path weights = truncated.resolve("model.safetensors");
        try (var ch = java.nio.channels.FileChannel.open(weights, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(weights) - 1000);
        }
        try (Policy small = Policy.create(new PolicyConfig(PolicyConfig.demo().vocabSize(), 16, 128, 2, 4, 256), 1)) {
            Path smallDir = root.resolve("small");
            small.save(smallDir, Map.of());
            Files.copy(smallDir.resolve("model.safetensors"), wrongShape.resolve("model.safetensors"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        int[] greedyA = refA.greedy(List.of(PROMPT), 8).get(0).tokens();
        String generate = """
                {"input_ids": %s, "sampling_params": {"temperature": 0, "max_new_tokens": 8}}""".formatted(ids(PROMPT));
        try (InferenceServer s = InferenceServer.start(dirA, "tiny", "v0", "127.0.0.1", 0)) {
            for (Path bad : List.of(nan, truncated, wrongShape)) {
                HttpResponse<String> failed = post(s, "/update_weights_from_disk",
                        "{\"model_path\": \"%s\", \"weight_version\": \"bad\"}".formatted(bad));
                assertEquals(400, failed.statusCode(), bad + ": " + failed.body());
                assertFalse(JSON.readTree(failed.body()).get("success").asBoolean());
                HttpResponse<String> badRpc = post(s, "/collective_rpc",
                        "{\"method\": \"reload_weights\", \"kwargs\": {\"weights_path\": \"%s\"}}".formatted(bad));
                assertEquals(500, badRpc.statusCode(), bad + ": " + badRpc.body());
                assertTrue(badRpc.body().contains(bad.getFileName().toString()), badRpc.body());
                JsonNode still = ok(post(s, "/generate", generate));
                assertArrayEquals(greedyA, ints(still.get("output_ids")), bad.toString());
                assertEquals("v0", still.get("meta_info").get("weight_version").asText());
            }
            assertTrue(post(s, "/collective_rpc", "{\"method\": \"reload_weights\", \"kwargs\": {\"weights_path\": \"%s\"}}"
                    .formatted(nan)).body().contains("non-finite"));
        }
    }
}
