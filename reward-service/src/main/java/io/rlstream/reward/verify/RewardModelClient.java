package io.rlstream.reward.verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
    private static final int SNIPPET_CHARS = 200;
    private static final int MAX_BACKOFF_DOUBLINGS = 20;

    private final URI endpoint;
    private final Duration timeout;
    private final int maxAttempts;
    private final Duration backoff;
    private final HttpClient http;

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
        // HTTP/1.1: no h2c upgrade dance with the plain-HTTP model servers this usually talks to.
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .build();
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
            request = HttpRequest.newBuilder(endpoint)
                    .timeout(timeout)
                    .header("Content-Type", "application/json; charset=utf-8")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(requestBody(prompt, response, reference)))
                    .build();
        } catch (JsonProcessingException e) {
            return Verification.failed("could not encode the request to the reward model at " + endpoint + ": "
                    + e.getOriginalMessage());
        }
        String lastProblem = "";
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            if (attempt > 1) {
                try {
                    Thread.sleep(backoffBefore(attempt).toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Verification.failed("interrupted while waiting to retry the reward model at " + endpoint
                            + " after " + (attempt - 1) + " attempts; last: " + lastProblem);
                }
            }
            Attempt outcome = attempt(request);
            if (outcome.result != null) {
                Verification v = outcome.result;
                if (v.ok() && attempt > 1) {
                    return Verification.scored(v.score(), v.extracted(), v.reason() + " (attempt " + attempt + ")");
                }
                return v;
            }
            lastProblem = outcome.transientProblem;
        }
        return Verification.failed("reward model at " + endpoint + " " + lastProblem + " after " + maxAttempts
                + (maxAttempts == 1 ? " attempt" : " attempts") + "; check that the model server is up and fast"
                + " enough, or raise the timeout or the attempts");
    }

    /** The wait before attempt {@code attempt} (≥ 2): backoff · 2^(attempt − 2). */
    Duration backoffBefore(int attempt) {
        int doublings = Math.min(Math.max(attempt - 2, 0), MAX_BACKOFF_DOUBLINGS);
        return backoff.multipliedBy(1L << doublings);
    }

    /** One attempt: a final result (scored or failed for good), or a transient problem to retry. */
    private record Attempt(Verification result, String transientProblem) {
        static Attempt done(Verification result) {
            return new Attempt(result, null);
        }

        static Attempt retry(String problem) {
            return new Attempt(null, problem);
        }
    }

    private Attempt attempt(HttpRequest request) {
        CompletableFuture<HttpResponse<String>> pending =
                http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        HttpResponse<String> answer;
        try {
            // The request timeout covers the wait for the headers; this covers the body as well.
            answer = pending.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            return Attempt.retry(timedOut());
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            return Attempt.done(Verification.failed("interrupted while waiting for the reward model at " + endpoint));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpTimeoutException) {
                return Attempt.retry(timedOut());
            }
            if (cause instanceof IOException) {
                return Attempt.retry("could not be reached (" + cause + ")");
            }
            return Attempt.done(Verification.failed("request to the reward model at " + endpoint + " failed: " + cause));
        }
        int status = answer.statusCode();
        if (status >= 500 && status <= 599) {
            return Attempt.retry("answered HTTP " + status + " (" + snippet(answer.body()) + ")");
        }
        if (status < 200 || status > 299) {
            return Attempt.done(Verification.failed("reward model at " + endpoint + " refused the request with HTTP "
                    + status + " (" + snippet(answer.body()) + "); not retried: check the endpoint URL and that it"
                    + " takes {\"prompt\", \"response\", \"reference\"}"));
        }
        return Attempt.done(parse(answer.body()));
    }

    private String timedOut() {
        return "timed out (limit " + timeout.toMillis() + " ms per attempt)";
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

    private static String snippet(String body) {
        if (body == null || body.isEmpty()) {
            return "empty body";
        }
        String oneLine = body.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= SNIPPET_CHARS ? oneLine : oneLine.substring(0, SNIPPET_CHARS) + "…";
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
