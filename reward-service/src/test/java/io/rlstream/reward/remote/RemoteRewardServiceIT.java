package io.rlstream.reward.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.Prompt;
import io.rlstream.events.Reward;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.reward.RewardService;
import io.rlstream.reward.RewardServiceConfig;
import io.rlstream.reward.stream.RewardTopologyTest;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PipelineFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reward service with reward.verifier=remote on the real broker and registry, scoring through a
 * reward server in a second process (RewardServerMain): rollouts are batched across records, rewards
 * reach rl.rewards, a wrong token gives FAILED rewards, and rollouts waiting for a batch when the
 * service stops are scored once after the restart.
 */
class RemoteRewardServiceIT {

    private static final String TOKEN = "s3cret";
    private static final String PROMPT = "37+48=";

    @RegisterExtension
    static final PipelineFixture PIPELINE = PipelineFixture.extension(new TopicCatalog("rr.", 1));
    @TempDir
    static Path dir;
    private static RewardServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = RewardServerProcess.start(dir, TOKEN);
        PIPELINE.send(Topic.PROMPTS, "p1", Prompt.newBuilder().setPromptId("p1")
                .setText(PROMPT).setReferenceAnswer("85").setCreatedAt(Instant.EPOCH).build());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static Map<String, Object> settings(String app, String token, long lingerMs) {
        Map<String, Object> settings = PIPELINE.serviceSettings();
        settings.put(RewardServiceConfig.APPLICATION_ID, app);
        settings.put(RewardServiceConfig.STATE_DIR, dir.resolve(app).toString());
        settings.put(RewardServiceConfig.VERIFIER, "remote");
        settings.put(RewardServiceConfig.REMOTE_URL, server.url("/get_reward"));
        settings.put(RewardServiceConfig.REMOTE_TOKEN, token);
        settings.put(RewardServiceConfig.REMOTE_BATCH_SIZE, 4);
        settings.put(RewardServiceConfig.REMOTE_LINGER_MS, lingerMs);
        return settings;
    }

    /** The server's rule, computed here on its own: (prompt + response ends with label) + 0.01 · len. */
    private static double expected(Rollout r) {
        String query = PROMPT + r.getResponseText();
        return (query.endsWith("85") ? 1.0 : 0.0) + 0.01 * query.length();
    }

    /** The rewards on rl.rewards of rollouts whose group starts with {@code prefix}, by rollout id; duplicates fail. */
    private static Map<String, Reward> rewards(String prefix, int expected) {
        Map<String, Reward> byRollout = new TreeMap<>();
        for (Reward r : PIPELINE.readToEnd(Topic.REWARDS, Reward.class)) {
            if (r.getGroupId().startsWith(prefix)) {
                assertEquals(null, byRollout.put(r.getRolloutId(), r), r.getRolloutId() + " delivered twice");
            }
        }
        return byRollout;
    }

    private static Map<String, Reward> awaitRewards(String prefix, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Map<String, Reward> out = rewards(prefix, expected);
        while (out.size() < expected && System.nanoTime() < deadline) {
            Thread.sleep(200);
            out = rewards(prefix, expected);
        }
        return out;
    }

    private static List<Rollout> groups(String prefix, int groups) {
        List<Rollout> rollouts = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            for (int i = 0; i < 4; i++) {
                // G = 4: an index outside its group would be a dead letter (RolloutCheck)
                rollouts.add(Rollout.newBuilder(RewardTopologyTest.rollout(prefix + g, i, "p1", i == 0 ? "85" : "8" + i,
                        SampleStatus.OK)).setGroupSize(4).build());
            }
        }
        return rollouts;
    }

    /**
     * One application id through three runs, so that each run starts where the last stopped on the
     * shared rl.rollouts: batched scoring; a wrong token; rollouts left waiting at a stop.
     */
    @Test
    void batchesAWrongTokenAndARestartWithRolloutsWaiting() throws Exception {
        String app = "rw-remote";
        // 1. Three groups of four: batched, each reward the server's rule.
        int before = server.requests().size();
        List<Rollout> rollouts = groups("batched-", 3);
        try (RewardService service = new RewardService(new RewardServiceConfig(settings(app, TOKEN, 300)))) {
            service.start();
            PIPELINE.sendAll(Topic.ROLLOUTS, Rollout::getGroupId, rollouts);
            Map<String, Reward> byRollout = awaitRewards("batched-", 12);
            assertEquals(12, byRollout.size());
            for (Rollout r : rollouts) {
                Reward reward = byRollout.get(r.getRolloutId());
                assertEquals(SampleStatus.OK, reward.getStatus(), reward.getReason());
                assertEquals("remote", reward.getVerifier());
                assertEquals(expected(r), reward.getScore(), 1e-12);
            }
            // "37+48=85" ends with "85": 1 + 0.01 · 8.
            assertEquals(1.08, byRollout.get("batched-0/0").getScore(), 1e-12);
            List<int[]> requests = server.requests().subList(before, server.requests().size());
            assertEquals(12, requests.stream().mapToInt(q -> q[1]).sum());
            assertTrue(requests.size() < 12, "batched: " + requests.size() + " requests for 12 responses");
            assertTrue(requests.stream().allMatch(q -> q[0] == 200 && q[1] <= 4), "each batch at most 4");
        }

        // 2. A wrong token: a FAILED reward with the reason, not a zero.
        try (RewardService service = new RewardService(new RewardServiceConfig(settings(app, "wrong", 100)))) {
            service.start();
            PIPELINE.sendAll(Topic.ROLLOUTS, Rollout::getGroupId, List.of(
                    RewardTopologyTest.rollout("wrong-0", 0, "p1", "85", SampleStatus.OK)));
            Reward failed = awaitRewards("wrong-", 1).get("wrong-0/0");
            assertEquals(SampleStatus.FAILED, failed.getStatus());
            assertTrue(failed.getReason().contains("refused the credentials with HTTP 401"), failed.getReason());
            assertTrue(server.requests().stream().anyMatch(q -> q[0] == 401));
        }

        // 3. A linger of 10 minutes and a batch of 4: three rollouts wait in the store at the stop...
        List<Rollout> waiting = groups("restart-", 1).subList(0, 3);
        String changelog = app + "-" + "rollouts-pending-batch-changelog";
        try (RewardService service = new RewardService(new RewardServiceConfig(settings(app, TOKEN, 600_000)))) {
            service.start();
            PIPELINE.sendAll(Topic.ROLLOUTS, Rollout::getGroupId, waiting);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long pending = 0;
            while (pending < 3 && System.nanoTime() < deadline) {
                pending = PIPELINE.readAll(changelog, Rollout.class, Integer.MAX_VALUE, Duration.ofMillis(500)).stream()
                        .filter(r -> r.key().startsWith("restart-") && r.value() != null).count();
            }
            assertEquals(3, pending, "the three rollouts are in the pending store's changelog");
            assertEquals(0, rewards("restart-", 0).size());
        }
        // ... and are scored once after the restart.
        try (RewardService service = new RewardService(new RewardServiceConfig(settings(app, TOKEN, 200)))) {
            service.start();
            awaitRewards("restart-", 3);
            Thread.sleep(1_000);
            Map<String, Reward> byRollout = rewards("restart-", 3);
            assertEquals(3, byRollout.size());
            for (Rollout r : waiting) {
                assertEquals(expected(r), byRollout.get(r.getRolloutId()).getScore(), 1e-12);
                // the summary waited with its rollout (its own changelogged store), so it survived the restart
                assertEquals(r.getSampleIndex(), byRollout.get(r.getRolloutId()).getRollout().getSampleIndex());
            }
        }
        assertEquals(12, rewards("batched-", 12).size(), "no batch scored twice across the restarts");
    }
}
