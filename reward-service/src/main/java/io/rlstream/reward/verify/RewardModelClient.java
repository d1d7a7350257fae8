package io.rlstream.reward.verify;

import static io.rlstream.reward.verify.RetriedPost.snippet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;

/**
 * Scores a response with a reward model served over HTTP: POSTs
 * {@code {"prompt": ..., "response": ..., "reference": ...}} as UTF-8 JSON to the endpoint and
 * reads {@code {"score": number}} (other fields are ignored).
 *
 * <p>Connection errors, timeouts and 5xx answers are transient and retried, up to
 * {@code maxAttempts} attempts in all, waiting {@code backoff · 2^(k−1)} before the k-th retry
 * (backoff, 2·backoff, 4·backoff, ...). A 4xx (or any other non-2xx) answer means the request
 * itself is refused and is not retried; a 2xx answer that is not a JSON object with a finite
 * numeric {@code score} is not retried either. Every such outcome is {@link Verification#failed}
 * with a reason naming the endpoint, what came back and the number of attempts — never a score of
 * 0, because a reward model that could not answer has not judged the response.
 *
 * <p>{@link Verifier#verify} has no prompt text, so {@link #verify} scores with an empty prompt;
 * callers that have the prompt call {@link #score}. Not pure (it calls the network) but
 * thread-safe: one client serves all stream threads.
 */
public final class RewardModelClient implements Verifier {

    public static final String NAME = "reward-model";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final URI endpoint;
    private final Duration timeout;
    private final int maxAttempts;
    private final Duration backoff;
    private final RetriedPost post;

    /**
     * @param endpoint    the scoring URL, http or https
     * @param timeout     limit for one attempt, connecting included; positive
     * @param maxAttempts attempts in all, the first included; ≥ 1
     * @param backoff     wait before the first retry, doubled before each next one; ≥ 0
     */
    public RewardModelClient(URI endpoint, Duration timeout, int maxAttempts, Duration backoff) {
        if (endpoint == null || endpoint.getScheme() == null
                || !(endpoint.getScheme().equalsIgnoreCase("http") || endpoint.getScheme().equalsIgnoreCase("https"))
                || endpoint.getHost() == null) {
            throw new IllegalArgumentException("reward model endpoint must be an absolute http(s) URL such as "
                    + "http://localhost:8000/score, got " + endpoint);
        }
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("reward model timeout must be positive, got " + timeout);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("reward model attempts must be at least 1, got " + maxAttempts);
        }
        if (backoff == null || backoff.isNegative()) {
            throw new IllegalArgumentException("reward model backoff must be zero or positive, got " + backoff);
        }
        this.endpoint = endpoint;
        this.timeout = timeout;
        this.maxAttempts = maxAttempts;
        this.backoff = backoff;
        this.post = new RetriedPost(timeout, maxAttempts, backoff, new RetriedPost.Wording("reward model at " + endpoint,
                "check the endpoint URL and that it takes {\"prompt\", \"response\", \"reference\"}", null,
                "check that the model server is up and fast enough, or raise the timeout or the attempts"));
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Scores with an empty prompt; see {@link #score}. */
    @Override
    public Verification verify(String response, String reference) {
        return score("", response, reference);
    }

    /** The reward model judges the response in the context of its prompt. */
    @Override
    public Verification verify(String prompt, String response, String reference) {
        return score(prompt, response, reference);
    }

    /**
     * @param prompt    the prompt text ({@code null} is sent as JSON null)
     * @param response  the policy's decoded response
     * @param reference the prompt's reference answer, if any ({@code null} is sent as JSON null)
     * @return the model's score, or a failure with the reason; never a made-up 0
     */
    public Verification score(String prompt, String response, String reference) {
        HttpRequest request;
        try {
            request = post.request(endpoint, requestBody(prompt, response, reference)).build();
        } catch (JsonProcessingException e) {
            return Verification.failed("could not encode the request to the reward model at " + endpoint + ": "
                    + e.getOriginalMessage());
        }
        RetriedPost.Outcome outcome = post.send(request);
        if (!outcome.answered()) {
            return Verification.failed(outcome.failure());
        }
        Verification v = parse(outcome.body());
        if (v.ok() && outcome.attempt() > 1) {
            return Verification.scored(v.score(), v.extracted(), v.reason() + " (attempt " + outcome.attempt() + ")");
        }
        return v;
    }

    /** The wait before attempt {@code attempt} (≥ 2): backoff · 2^(attempt − 2). */
    Duration backoffBefore(int attempt) {
        return post.backoffBefore(attempt);
    }

    private Verification parse(String body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return Verification.failed("reward model at " + endpoint + " answered malformed JSON (" + snippet(body)
                    + "): " + e.getOriginalMessage() + "; expected {\"score\": number}");
        }
        if (root == null || !root.isObject()) {
            return Verification.failed("reward model at " + endpoint + " answered " + snippet(body)
                    + ", not a JSON object; expected {\"score\": number}");
        }
        JsonNode score = root.get("score");
        if (score == null || !score.isNumber()) {
            return Verification.failed("reward model at " + endpoint + " answered no numeric score ("
                    + snippet(body) + "); expected {\"score\": number}");
        }
        double value = score.doubleValue();
        if (!Double.isFinite(value)) {
            return Verification.failed("reward model at " + endpoint + " answered a score that is not a finite"
                    + " double (" + snippet(body) + ")");
        }
        return Verification.scored(value, score.asText(), "reward model score");
    }

    private static byte[] requestBody(String prompt, String response, String reference) throws JsonProcessingException {
        ObjectNode body = JSON.createObjectNode();
        body.put("prompt", prompt);
        body.put("response", response);
        body.put("reference", reference);
        return JSON.writeValueAsBytes(body);
    }


    public URI endpoint() {
        return endpoint;
    }

    public Duration timeout() {
        return timeout;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public Duration backoff() {
        return backoff;
    }
}
