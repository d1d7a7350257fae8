package io.rlstream.producers.rollouts.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * JSON POSTs to one server with a time-out per request and retries with exponential backoff
 * (0.2 s, 0.4 s, 0.8 s, ... at most 5 s) for connection errors and 5xx answers only: a 4xx is the
 * request's fault and is never repeated, and a request that timed out is not sent again (the server
 * may still be working on it).
 */
public final class ServerCalls {

    static final long FIRST_BACKOFF_MS = 200;
    static final long MAX_BACKOFF_MS = 5_000;

    private final HttpClient client;
    private final URI base;
    private final int retries;
    private final String bearerToken;

    /**
     * @param base the server's base URL, e.g. http://localhost:8000
     * @param retries how many times a connection error or 5xx is retried
     */
    public ServerCalls(URI base, int retries, Duration connectTimeout) {
        this(base, retries, connectTimeout, null);
    }

    /** As {@link #ServerCalls(URI, int, Duration)}, sending {@code Authorization: Bearer TOKEN} (null: none). */
    public ServerCalls(URI base, int retries, Duration connectTimeout, String bearerToken) {
        this.base = base;
        this.retries = retries;
        this.bearerToken = bearerToken;
        this.client = HttpClient.newBuilder().connectTimeout(connectTimeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    /**
     * POSTs {@code body} (null: an empty body) to {@code path} and returns the JSON answer (null for an empty one).
     *
     * @throws ServerCallException saying what was sent, what came back (or did not), and after how many tries
     */
    public JsonNode post(String path, JsonNode body, Duration timeout) throws InterruptedException {
        URI uri = base.resolve(path);
        String json;
        try {
            json = body == null ? "" : ServerProtocol.JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/json");
        if (bearerToken != null) {
            builder.header("Authorization", "Bearer " + bearerToken);
        }
        HttpRequest request = builder.POST(HttpRequest.BodyPublishers.ofString(json)).build();
        String last = "";
        for (int attempt = 0; ; attempt++) {
            boolean retryable;
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    return parse(uri, response.body());
                }
                last = "HTTP " + status + ": " + abbreviate(response.body());
                retryable = status >= 500;
            } catch (HttpConnectTimeoutException | ConnectException e) {
                last = "cannot connect: " + e;
                retryable = true;
            } catch (HttpTimeoutException e) {
                throw new ServerCallException("POST " + uri + " got no answer within " + timeout.toMillis()
                        + " ms (generate.request.timeout.ms / generate.sync.timeout.ms)", true);
            } catch (IOException e) {
                last = "connection failed: " + e;
                retryable = true;
            }
            if (!retryable || attempt >= retries) {
                throw new ServerCallException("POST " + uri + " failed after " + (attempt + 1) + " tries: " + last, false);
            }
            Thread.sleep(Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(attempt, 20)));
        }
    }

    private static JsonNode parse(URI uri, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return ServerProtocol.JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new MalformedResponseException("POST " + uri + " answered with text that is not JSON: " + abbreviate(text));
        }
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    /** A POST that finally failed; {@link #timedOut()} when the server did not answer in time. */
    public static final class ServerCallException extends RuntimeException {

        private final boolean timedOut;

        public ServerCallException(String message, boolean timedOut) {
            super(message);
            this.timedOut = timedOut;
        }

        public boolean timedOut() {
            return timedOut;
        }
    }
}
