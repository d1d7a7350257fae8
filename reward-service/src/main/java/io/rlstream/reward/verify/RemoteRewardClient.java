package io.rlstream.reward.verify;

import static io.rlstream.reward.verify.RetriedPost.snippet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Scores responses in batches at a remote endpoint in OpenRLHF's request shape
 * ({@code --remote_rm_url}; openrlhf/utils/remote_rm_utils.py): POSTs
 * <pre>{"query": [prompt + response, ...], "prompts": [...], "responses": [...], "labels": [...]}</pre>
 * and reads {@code {"rewards": [...]}} (or {@code {"scores": [...]}}, the newer reward functions'
 * second list; other fields such as {@code extra_logs} are ignored), one finite number per response
 * in order. {@code responses} is ours, for servers that would rather not split the query.
 *
 * <p>A token (from {@code reward.remote.token}, which can come from the environment) goes in
 * {@code Authorization: Bearer <token>}, or as is in another header. The retry rules are the reward
 * model's ({@link RewardModelClient}): connection errors, time-outs and 5xx are retried with
 * backoff up to {@code attempts} in all; a 4xx (a wrong token: 401/403) is not; an answer that is
 * not a list of finite numbers of the right length is not. Each such batch is a failed
 * Verification for every response in it, never a zero.
 */
public final class RemoteRewardClient implements Verifier {

    public static final String NAME = "remote";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final URI endpoint;
    private final RemoteSettings settings;
    private final RetriedPost post;

    /** @param backoff wait before the first retry, doubled before each next one */
    public RemoteRewardClient(RemoteSettings settings, Duration backoff) {
        URI uri;
        try {
            uri = URI.create(settings.url());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("reward.remote.url is not a URL: " + settings.url(), e);
        }
        if (uri.getScheme() == null || !(uri.getScheme().equalsIgnoreCase("http")
                || uri.getScheme().equalsIgnoreCase("https")) || uri.getHost() == null) {
            throw new IllegalArgumentException("reward.remote.url must be an absolute http(s) URL such as "
                    + "http://localhost:5000/get_reward, got '" + settings.url() + "'");
        }
        if (settings.batchSize() < 1 || settings.attempts() < 1 || settings.timeout().isZero()
                || settings.timeout().isNegative()) {
            throw new IllegalArgumentException("remote reward batch size and attempts must be at least 1 and the"
                    + " timeout positive, got " + settings);
        }
        this.endpoint = uri;
        this.settings = settings;
        this.post = new RetriedPost(settings.timeout(), settings.attempts(), backoff, new RetriedPost.Wording(
                "remote reward endpoint at " + uri, "check the URL and that it takes {\"query\", \"prompts\", \"labels\"}",
                "check reward.remote.token (env RLSTREAM_REWARD_REMOTE_TOKEN) and reward.remote.auth-header",
                "check that the server is up and fast enough, or raise reward.remote.timeout.ms or reward.remote.attempts"));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Verification verify(String response, String reference) {
        return verify("", response, reference);
    }

    @Override
    public Verification verify(String prompt, String response, String reference) {
        return verifyAll(List.of(new Check(prompt, response, reference))).get(0);
    }

    /** The checks in requests of at most {@code batchSize} responses each, in order. */
    @Override
    public List<Verification> verifyAll(List<Check> checks) {
        List<Verification> out = new ArrayList<>(checks.size());
        for (int from = 0; from < checks.size(); from += settings.batchSize()) {
            out.addAll(send(checks.subList(from, Math.min(checks.size(), from + settings.batchSize()))));
        }
        return out;
    }

    public int batchSize() {
        return settings.batchSize();
    }

    public Duration linger() {
        return settings.linger();
    }

    private List<Verification> send(List<Check> batch) {
        HttpRequest request;
        try {
            HttpRequest.Builder b = post.request(endpoint, requestBody(batch));
            if (!settings.token().isBlank()) {
                b.header(settings.authHeader(), settings.authHeader().equalsIgnoreCase("Authorization")
                        ? "Bearer " + settings.token() : settings.token());
            }
            request = b.build();
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return failedAll(batch.size(), "could not build the request to the remote reward endpoint at "
                    + endpoint + ": " + e.getMessage());
        }
        RetriedPost.Outcome outcome = post.send(request);
        return outcome.answered() ? parse(outcome.body(), batch.size()) : failedAll(batch.size(), outcome.failure());
    }

    private List<Verification> parse(String body, int n) {
        String expected = "; expected {\"rewards\": [" + n + " numbers]}";
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return failedAll(n, "remote reward endpoint at " + endpoint + " answered malformed JSON ("
                    + snippet(body) + "): " + e.getOriginalMessage() + expected);
        }
        JsonNode rewards = root == null || !root.isObject() ? null
                : root.has("rewards") ? root.get("rewards") : root.get("scores");
        if (rewards == null || !rewards.isArray() || rewards.size() != n) {
            return failedAll(n, "remote reward endpoint at " + endpoint + " answered " + snippet(body)
                    + " for " + n + (n == 1 ? " response" : " responses") + expected);
        }
        List<Verification> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            JsonNode r = rewards.get(i);
            if (!r.isNumber() || !Double.isFinite(r.doubleValue())) {
                out.add(Verification.failed("remote reward endpoint at " + endpoint + " answered " + r
                        + " at position " + i + ", not a finite number"));
            } else {
                out.add(Verification.scored(r.doubleValue(), r.asText(), "remote reward (batch of " + n + ")"));
            }
        }
        return out;
    }

    private static byte[] requestBody(List<Check> batch) throws JsonProcessingException {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode query = body.putArray("query");
        ArrayNode prompts = body.putArray("prompts");
        ArrayNode responses = body.putArray("responses");
        ArrayNode labels = body.putArray("labels");
        for (Check c : batch) {
            String prompt = c.prompt() == null ? "" : c.prompt();
            query.add(prompt + c.response());
            prompts.add(prompt);
            responses.add(c.response());
            labels.add(c.reference());
        }
        return JSON.writeValueAsBytes(body);
    }

    private static List<Verification> failedAll(int n, String reason) {
        return Collections.nCopies(n, Verification.failed(reason));
    }
}
