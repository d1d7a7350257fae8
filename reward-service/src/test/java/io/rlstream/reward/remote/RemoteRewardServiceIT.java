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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reward service with reward.verifier=remote on the real broker and registry, scoring through a
 * reward server in a second process: rollouts are batched across records, rewards reach rl.rewards,
 * a wrong token gives FAILED rewards.
 */
class RemoteRewardServiceIT {

    private static final String TOKEN = "s3cret";
    private static final String PROMPT = "37+48=";

    @Test
    void rolloutsAreScoredInBatchesByTheRemoteServerAndAWrongTokenFailsThem(@TempDir Path dir) throws Exception {
        Path serverDir = Files.createDirectories(dir.resolve("server"));
        try (RewardServerProcess server = RewardServerProcess.start(serverDir, TOKEN);
                PipelineFixture pipeline = PipelineFixture.start(new TopicCatalog("rr.", 1))) {
            pipeline.send(Topic.PROMPTS, "p1", Prompt.newBuilder().setPromptId("p1")
                    .setText(PROMPT).setReferenceAnswer("85").setCreatedAt(Instant.EPOCH).build());
            Map<String, Object> settings = pipeline.serviceSettings();
            settings.put(RewardServiceConfig.STATE_DIR, dir.resolve("state").toString());
            settings.put(RewardServiceConfig.VERIFIER, "remote");
            settings.put(RewardServiceConfig.REMOTE_URL, server.url("/get_reward"));
            settings.put(RewardServiceConfig.REMOTE_TOKEN, TOKEN);
            settings.put(RewardServiceConfig.REMOTE_BATCH_SIZE, 4);
            settings.put(RewardServiceConfig.REMOTE_LINGER_MS, 300L);
            List<Rollout> rollouts = new ArrayList<>();
            for (String group : List.of("g1", "g2", "g3")) {
                for (int i = 0; i < 4; i++) {
                    rollouts.add(RewardTopologyTest.rollout(group, i, "p1", i == 0 ? "85" : "8" + i, SampleStatus.OK));
                }
            }
            try (RewardService service = new RewardService(new RewardServiceConfig(settings))) {
                service.start();
                pipeline.sendAll(Topic.ROLLOUTS, Rollout::getGroupId, rollouts);
                Map<String, Reward> byRollout = new TreeMap<>();
                for (ConsumerRecord<String, Reward> r : pipeline.readAll(Topic.REWARDS, Reward.class, 12,
                        Duration.ofSeconds(90))) {
                    assertEquals(null, byRollout.put(r.value().getRolloutId(), r.value()), "delivered twice");
                }
                assertEquals(12, byRollout.size());
                for (Rollout r : rollouts) {
                    Reward reward = byRollout.get(r.getRolloutId());
                    assertEquals(SampleStatus.OK, reward.getStatus(), reward.getReason());
                    assertEquals("remote", reward.getVerifier());
                    // The server's rule on query = prompt + response: "37+48=85" ends with "85": 1 + 0.08.
                    String query = PROMPT + r.getResponseText();
                    assertEquals((query.endsWith("85") ? 1.0 : 0.0) + 0.01 * query.length(), reward.getScore(), 1e-12);
                }
                assertEquals(1.08, byRollout.get("g1/0").getScore(), 1e-12);
                List<int[]> requests = server.requests();
                int responses = requests.stream().mapToInt(q -> q[1]).sum();
                assertEquals(12, responses);
                assertTrue(requests.size() < 12, "batched: " + requests.size() + " requests for 12 responses");
                assertTrue(requests.stream().allMatch(q -> q[0] == 200 && q[1] <= 4), "each batch at most 4");
            }

            // The same service with a wrong token: FAILED rewards with the reason, never a zero.
            settings.put(RewardServiceConfig.APPLICATION_ID, "rlstream-rewards-wrong-token");
            settings.put(RewardServiceConfig.STATE_DIR, dir.resolve("state2").toString());
            settings.put(RewardServiceConfig.REMOTE_TOKEN, "wrong");
            try (RewardService service = new RewardService(new RewardServiceConfig(settings))) {
                service.start();
                pipeline.sendAll(Topic.ROLLOUTS, Rollout::getGroupId, List.of(
                        RewardTopologyTest.rollout("g4", 0, "p1", "85", SampleStatus.OK)));
                Reward failed = pipeline.await(Topic.REWARDS, Reward.class, w -> w.getRolloutId().equals("g4/0")
                        && w.getReason().contains("401"), Duration.ofSeconds(90));
                assertEquals(SampleStatus.FAILED, failed.getStatus());
                assertTrue(failed.getReason().contains("refused the credentials with HTTP 401"), failed.getReason());
                assertTrue(server.requests().stream().anyMatch(q -> q[0] == 401));
            }
        }
    }
}
