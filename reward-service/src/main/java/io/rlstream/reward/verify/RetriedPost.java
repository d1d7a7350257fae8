package io.rlstream.reward.verify;

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
 * One POST to a scoring server with the retry rules both HTTP verifiers share
 * ({@link RewardModelClient}, {@link RemoteRewardClient}): a timeout, a connection failure or an
 * HTTP 5xx is transient and retried, up to {@code attempts} in all, waiting backoff · 2^(n−2)
 * before attempt n; any other answer is final: the body of a 2xx to parse, or a refusal (401/403,
 * another status) that retrying would only repeat. It returns a body or a reason, never a score:
 * the callers turn a reason into a FAILED verification, never a 0.
 */
final class RetriedPost {

    static final int SNIPPET_CHARS = 200;
    private static final int MAX_BACKOFF_DOUBLINGS = 20;

    /**
     * What the server is called in reasons and what to tell the user.
     *
     * @param server          e.g. "reward model at http://host/score"
     * @param refusedHint     after "not retried: " for a 4xx, e.g. what request shape it takes
     * @param credentialsHint after "not retried: " for a 401/403; null: treated like any refusal
     * @param exhaustedHint   after the last transient problem, e.g. what to raise
     */
    record Wording(String server, String refusedHint, String credentialsHint, String exhaustedHint) {
    }

    /** The body of a 2xx answer and the attempt that got it; or, with {@code body} null, why there is none. */
    record Outcome(String body, int attempt, String failure) {
        boolean answered() {
            return body != null;
        }
    }

    private final HttpClient http;
    private final Duration timeout;
    private final int attempts;
    private final Duration backoff;
    private final Wording wording;

    RetriedPost(Duration timeout, int attempts, Duration backoff, Wording wording) {
        this.timeout = timeout;
        this.attempts = attempts;
        this.backoff = backoff;
        this.wording = wording;
        // HTTP/1.1: no h2c upgrade dance with the plain-HTTP model servers this usually talks to.
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .build();
    }

    /** A JSON POST of {@code json} to {@code endpoint} with the call's timeout (callers add headers, e.g. credentials). */
    HttpRequest.Builder request(URI endpoint, byte[] json) {
        return HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json));
    }

    Outcome send(HttpRequest request) {
        String lastProblem = "";
        for (int attempt = 1; attempt <= attempts; attempt++) {
            if (attempt > 1) {
                try {
                    Thread.sleep(backoffBefore(attempt).toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return failed("interrupted while waiting to retry the " + wording.server() + " after "
                            + (attempt - 1) + " attempts; last: " + lastProblem);
                }
            }
            CompletableFuture<HttpResponse<String>> pending =
                    http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            HttpResponse<String> answer;
            try {
                // The request timeout covers the wait for the headers; this covers the body as well.
                answer = pending.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                pending.cancel(true);
                lastProblem = timedOut();
                continue;
            } catch (InterruptedException e) {
                pending.cancel(true);
                Thread.currentThread().interrupt();
                return failed("interrupted while waiting for the " + wording.server());
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof HttpTimeoutException) {
                    lastProblem = timedOut();
                    continue;
                }
                if (cause instanceof IOException) {
                    lastProblem = "could not be reached (" + cause + ")";
                    continue;
                }
                return failed("request to the " + wording.server() + " failed: " + cause);
            }
            int status = answer.statusCode();
            if (status >= 500 && status <= 599) {
                lastProblem = "answered HTTP " + status + " (" + snippet(answer.body()) + ")";
                continue;
            }
            if ((status == 401 || status == 403) && wording.credentialsHint() != null) {
                return failed(wording.server() + " refused the credentials with HTTP " + status + " ("
                        + snippet(answer.body()) + "); not retried: " + wording.credentialsHint());
            }
            if (status < 200 || status > 299) {
                return failed(wording.server() + " refused the request with HTTP " + status + " ("
                        + snippet(answer.body()) + "); not retried: " + wording.refusedHint());
            }
            return new Outcome(answer.body(), attempt, null);
        }
        return failed(wording.server() + " " + lastProblem + " after " + attempts
                + (attempts == 1 ? " attempt" : " attempts") + "; " + wording.exhaustedHint());
    }

    /** The wait before attempt {@code attempt} (≥ 2): backoff · 2^(attempt − 2). */
    Duration backoffBefore(int attempt) {
        int doublings = Math.min(Math.max(attempt - 2, 0), MAX_BACKOFF_DOUBLINGS);
        return backoff.multipliedBy(1L << doublings);
    }

    private String timedOut() {
        return "timed out (limit " + timeout.toMillis() + " ms per attempt)";
    }

    private static Outcome failed(String reason) {
        return new Outcome(null, 0, reason);
    }

    /** A body on one line, cut at {@value #SNIPPET_CHARS} characters, for a reason. */
    static String snippet(String body) {
        if (body == null || body.isEmpty()) {
            return "empty body";
        }
        String oneLine = body.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= SNIPPET_CHARS ? oneLine : oneLine.substring(0, SNIPPET_CHARS) + "…";
    }
}
