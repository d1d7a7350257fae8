package io.rlstream.reward.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RewardModelClientTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    // Generous: the first request of a cold JVM on a 2-core machine takes several hundred ms.
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SHORT_TIMEOUT = Duration.ofMillis(400);
    private static final Duration BACKOFF = Duration.ofMillis(5);

    /** What the fake model server does with request number n (1-based). */
    @FunctionalInterface
    private interface Handler {
        void handle(int n, HttpExchange exchange) throws IOException, InterruptedException;
    }

    private HttpServer server;
    private ExecutorService executor;
    private final AtomicInteger requests = new AtomicInteger();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final List<String> contentTypes = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);

    private URI serve(Handler handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        executor = Executors.newCachedThreadPool();
        server.setExecutor(executor);
        server.createContext("/score", exchange -> {
            int n = requests.incrementAndGet();
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
            try {
                handler.handle(n, exchange);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                exchange.close();
            }
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/score");
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static RewardModelClient client(URI endpoint, int attempts) {
        return new RewardModelClient(endpoint, TIMEOUT, attempts, BACKOFF);
    }

    @AfterEach
    void stop() throws InterruptedException {
        release.countDown();
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            executor.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aGoodAnswerIsTheScore() throws Exception {
        URI endpoint = serve((n, ex) -> reply(ex, 200, "{\"score\": 0.75, \"model\": \"rm-7b\"}"));
        Verification v = client(endpoint, 3).score("What is 2+2?", "4", "4");
        assertTrue(v.ok(), v.reason());
        assertEquals(0.75, v.score());
        assertEquals("0.75", v.extracted());
        assertEquals(1, requests.get());
        JsonNode sent = JSON.readTree(bodies.get(0));
        assertEquals("What is 2+2?", sent.get("prompt").asText());
        assertEquals("4", sent.get("response").asText());
        assertEquals("4", sent.get("reference").asText());
        assertTrue(contentTypes.get(0).startsWith("application/json"), contentTypes.get(0));
    }

    @Test
    void negativeAndIntegerScoresAreScores() throws Exception {
        URI endpoint = serve((n, ex) -> reply(ex, 200, n == 1 ? "{\"score\": -2}" : "{\"score\": 0}"));
        RewardModelClient client = client(endpoint, 1);
        assertEquals(-2.0, client.score("p", "r", "x").score());
        Verification zero = client.score("p", "r", "x");
        assertTrue(zero.ok()); // a zero the model gave is a real zero
        assertEquals(0.0, zero.score());
    }

    @Test
    void twoServerErrorsThenSuccessIsRetriedAndScored() throws Exception {
        URI endpoint = serve((n, ex) -> {
            if (n <= 2) {
                reply(ex, 500, "{\"error\": \"CUDA out of memory\"}");
            } else {
                reply(ex, 200, "{\"score\": 0.25}");
            }
        });
        Verification v = client(endpoint, 3).score("p", "r", "x");
        assertTrue(v.ok(), v.reason());
        assertEquals(0.25, v.score());
        assertEquals(3, requests.get());
        assertTrue(v.reason().contains("attempt 3"), v.reason());
        // Every attempt sends the same request.
        assertEquals(1, bodies.stream().distinct().count());
    }

    @Test
    void aServerThatAlwaysFailsIsAFailureAfterAllAttemptsNeverAZero() throws Exception {
        URI endpoint = serve((n, ex) -> reply(ex, 503, "overloaded"));
        Verification v = client(endpoint, 4).score("p", "r", "x");
        assertFalse(v.ok());
        assertTrue(Double.isNaN(v.score()));
        assertEquals(4, requests.get());
        assertTrue(v.reason().startsWith("reward model at " + endpoint + " answered HTTP 503 (overloaded) after 4 attempts"),
                v.reason());
    }

    @Test
    void aModelSlowerThanTheTimeoutFailsWithTimedOut() throws Exception {
        URI endpoint = serve((n, ex) -> {
            release.await(30, TimeUnit.SECONDS); // far past the 400 ms timeout; released after the test
            reply(ex, 200, "{\"score\": 1}");
        });
        long start = System.nanoTime();
        Verification v = new RewardModelClient(endpoint, SHORT_TIMEOUT, 2, BACKOFF).score("p", "r", "x");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertFalse(v.ok());
        assertTrue(v.reason().contains("timed out"), v.reason());
        assertTrue(v.reason().contains("after 2 attempts"), v.reason());
        assertTrue(v.reason().contains("400 ms per attempt"), v.reason());
        // Two attempts of 400 ms and a 5 ms backoff; well under the 30 s the handler would take.
        assertTrue(millis >= 800 && millis < 10_000, "took " + millis + " ms");
        assertEquals(2, requests.get());
    }

    @Test
    void aClientErrorIsNotRetried() throws Exception {
        URI endpoint = serve((n, ex) -> reply(ex, 400, "{\"error\": \"missing field prompt\"}"));
        Verification v = client(endpoint, 5).score("p", "r", "x");
        assertFalse(v.ok());
        assertEquals(1, requests.get(), v.reason());
        assertTrue(v.reason().contains("refused the request with HTTP 400"), v.reason());
        assertTrue(v.reason().contains("missing field prompt"), v.reason());
        assertTrue(v.reason().contains("not retried"), v.reason());
    }

    @Test
    void malformedOrNonNumericAnswersFailWithoutRetry() throws Exception {
        List<String> answers = List.of(
                "{\"score\": 0.5",          // truncated
                "score=0.5",                // not JSON
                "",                         // empty
                "[0.5]",                    // not an object
                "{\"reward\": 0.5}",        // no score
                "{\"score\": \"0.5\"}",     // a string, not a number
                "{\"score\": null}",
                "{\"score\": NaN}",         // not JSON
                "{\"score\": \"NaN\"}",
                "{\"score\": 1e999}",       // overflows a double
                "{\"score\": 0.5} trailing");
        URI endpoint = serve((n, ex) -> reply(ex, 200, answers.get(n - 1)));
        RewardModelClient client = client(endpoint, 3);
        for (String answer : answers) {
            Verification v = client.score("p", "r", "x");
            assertFalse(v.ok(), answer + " gave " + v);
            assertTrue(Double.isNaN(v.score()), answer);
            assertTrue(v.reason().startsWith("reward model at " + endpoint + " answered"), v.reason());
        }
        assertEquals(answers.size(), requests.get());
    }

    @Test
    void anUnreachableModelIsAFailureAfterAllAttempts() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort(); // free once closed: connections are refused
        }
        URI endpoint = URI.create("http://127.0.0.1:" + port + "/score");
        Verification v = client(endpoint, 2).score("p", "r", "x");
        assertFalse(v.ok());
        assertTrue(v.reason().contains("could not be reached"), v.reason());
        assertTrue(v.reason().contains("after 2 attempts"), v.reason());
    }

    @Test
    void theRequestIsValidJsonWhateverTheText() throws Exception {
        URI endpoint = serve((n, ex) -> reply(ex, 200, "{\"score\": 1}"));
        String prompt = "He said \"hi\"\\ then\nleft\ttab\r\u0001 and </script>";
        String response = "Ünïcödé ∑ 数学 emoji 😀👍🏽 and \u2028 line separator";
        assertTrue(client(endpoint, 1).score(prompt, response, null).ok());
        JsonNode sent = JSON.readTree(bodies.get(0));
        assertEquals(prompt, sent.get("prompt").asText());
        assertEquals(response, sent.get("response").asText());
        assertTrue(sent.get("reference").isNull());
        assertEquals(3, sent.size());
    }

    @Test
    void verifyScoresWithAnEmptyPrompt() throws Exception {
        URI endpoint = serve((n, ex) -> reply(ex, 200, "{\"score\": 0.5}"));
        RewardModelClient client = client(endpoint, 1);
        assertEquals(RewardModelClient.NAME, client.name());
        Verification v = client.verify("the answer is 4", "4");
        assertEquals(0.5, v.score());
        JsonNode sent = JSON.readTree(bodies.get(0));
        assertEquals("", sent.get("prompt").asText());
        assertEquals("the answer is 4", sent.get("response").asText());
        assertEquals("4", sent.get("reference").asText());
    }

    @Test
    void backoffDoublesBeforeEachRetry() {
        RewardModelClient client =
                new RewardModelClient(URI.create("http://localhost:1/score"), TIMEOUT, 5, Duration.ofMillis(100));
        assertEquals(Duration.ofMillis(100), client.backoffBefore(2));
        assertEquals(Duration.ofMillis(200), client.backoffBefore(3));
        assertEquals(Duration.ofMillis(400), client.backoffBefore(4));
        assertEquals(Duration.ofMillis(800), client.backoffBefore(5));
    }

    @Test
    void rejectsImpossibleSettings() {
        URI ok = URI.create("http://localhost:8000/score");
        assertThrows(IllegalArgumentException.class,
                () -> new RewardModelClient(URI.create("localhost:8000"), TIMEOUT, 1, BACKOFF));
        assertThrows(IllegalArgumentException.class,
                () -> new RewardModelClient(URI.create("ftp://host/score"), TIMEOUT, 1, BACKOFF));
        assertThrows(IllegalArgumentException.class, () -> new RewardModelClient(ok, Duration.ZERO, 1, BACKOFF));
        assertThrows(IllegalArgumentException.class, () -> new RewardModelClient(ok, TIMEOUT, 0, BACKOFF));
        assertThrows(IllegalArgumentException.class,
                () -> new RewardModelClient(ok, TIMEOUT, 1, Duration.ofMillis(-1)));
    }
}
