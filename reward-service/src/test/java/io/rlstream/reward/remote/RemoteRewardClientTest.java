package io.rlstream.reward.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.reward.verify.RemoteRewardClient;
import io.rlstream.reward.verify.RemoteSettings;
import io.rlstream.reward.verify.Verification;
import io.rlstream.reward.verify.Verifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The remote verifier against a reward server in a second process (RewardServerMain). */
class RemoteRewardClientTest {

    private static final String TOKEN = "s3cret";

    @TempDir
    static Path dir;
    private static RewardServerProcess server;

    @BeforeAll
    static void startServer() throws Exception {
        server = RewardServerProcess.start(dir, TOKEN);
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    private static RemoteRewardClient client(String path, String token, int batch) {
        return new RemoteRewardClient(new RemoteSettings(server.url(path), "Authorization", token, batch,
                Duration.ofMillis(50), Duration.ofSeconds(10), 3), Duration.ofMillis(10));
    }

    /** The server's rule, computed here on its own: (prompt+response ends with label) + 0.01·len. */
    private static double expected(String prompt, String response, String label) {
        String query = prompt + response;
        return (query.endsWith(label) ? 1.0 : 0.0) + 0.01 * query.length();
    }

    @Test
    void tenResponsesGoInBatchesOfAtMostFourWithTheirRewardsInOrder() throws Exception {
        int before = server.requests().size();
        List<Verifier.Check> checks = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            checks.add(new Verifier.Check("What is 2+" + i + "? ", "It is " + (i % 3 == 0 ? 2 + i : 0), 
                    Integer.toString(2 + i)));
        }
        List<Verification> out = client("/get_reward", TOKEN, 4).verifyAll(checks);
        assertEquals(10, out.size());
        for (int i = 0; i < 10; i++) {
            Verifier.Check c = checks.get(i);
            assertTrue(out.get(i).ok(), out.get(i).reason());
            assertEquals(expected(c.prompt(), c.response(), c.reference()), out.get(i).score(), 1e-12);
        }
        // e.g. i = 3: "What is 2+3? It is 5" ends with "5": 1 + 0.01 · 20 = 1.2
        assertEquals(1.2, out.get(3).score(), 1e-12);
        List<int[]> requests = server.requests().subList(before, server.requests().size());
        assertEquals(List.of(4, 4, 2), requests.stream().map(r -> r[1]).toList());
    }

    @Test
    void aWrongTokenIsAFailedCheckWithTheReasonNotAZeroAndIsNotRetried() throws Exception {
        int before = server.requests().size();
        List<Verification> out = client("/get_reward", "wrong", 4).verifyAll(List.of(
                new Verifier.Check("p", "r1", "1"), new Verifier.Check("p", "r2", "2")));
        for (Verification v : out) {
            assertFalse(v.ok());
            assertTrue(Double.isNaN(v.score()));
            assertTrue(v.reason().contains("refused the credentials with HTTP 401")
                    && v.reason().contains("reward.remote.token"), v.reason());
        }
        List<int[]> requests = server.requests().subList(before, server.requests().size());
        assertEquals(1, requests.size(), "a 401 is not retried");
        assertEquals(401, requests.get(0)[0]);
    }

    @Test
    void anAnswerWithTheWrongNumberOfRewardsFailsTheWholeBatch() {
        List<Verification> out = client("/wrong-length", TOKEN, 8).verifyAll(List.of(
                new Verifier.Check("p", "a", "a"), new Verifier.Check("p", "b", "b"), new Verifier.Check("p", "c", "c")));
        assertEquals(3, out.size());
        for (Verification v : out) {
            assertFalse(v.ok());
            assertTrue(v.reason().contains("for 3 responses") && v.reason().contains("expected {\"rewards\": [3 numbers]}"),
                    v.reason());
        }
    }

    @Test
    void anEndpointThatIsDownIsRetriedThenFailed() {
        // A port nothing listens on (the server's port + 0 is taken; 1 is privileged and closed).
        RemoteRewardClient down = new RemoteRewardClient(new RemoteSettings("http://127.0.0.1:1/get_reward",
                "Authorization", TOKEN, 4, Duration.ofMillis(50), Duration.ofSeconds(2), 2), Duration.ofMillis(10));
        Verification v = down.verify("p", "r", "x");
        assertFalse(v.ok());
        assertTrue(v.reason().contains("could not be reached") && v.reason().contains("after 2 attempts"), v.reason());
    }
}
