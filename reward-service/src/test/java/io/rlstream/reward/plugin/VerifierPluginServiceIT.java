package io.rlstream.reward.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reward service with a plug-in verifier (a jar built in the test) scoring rollouts on the real broker. */
class VerifierPluginServiceIT {

    @Test
    void theServiceScoresWithThePluginItsSettingNames(@TempDir Path dir) throws Exception {
        Path jar = PluginJars.build(dir, "length", Map.of("acme.LengthProvider",
                PluginJars.lengthProvider("acme", "LengthProvider", "length", 0.25)), List.of("acme.LengthProvider"));
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader loader = PluginJars.loader(jar);
                PipelineFixture pipeline = PipelineFixture.start(new TopicCatalog("rp.", 1))) {
            Thread.currentThread().setContextClassLoader(loader);
            pipeline.send(Topic.PROMPTS, "p1", Prompt.newBuilder().setPromptId("p1")
                    .setText("37+48=").setReferenceAnswer("85").setCreatedAt(Instant.EPOCH).build());
            Map<String, Object> settings = pipeline.serviceSettings();
            settings.put(RewardServiceConfig.STATE_DIR, dir.resolve("state").toString());
            settings.put(RewardServiceConfig.VERIFIER, "length");
            settings.put(RewardServiceConfig.CORRECT, 3.0);
            try (RewardService service = new RewardService(new RewardServiceConfig(settings))) {
                service.start();
                pipeline.sendAll(Topic.ROLLOUTS, Rollout::getGroupId, List.of(
                        RewardTopologyTest.rollout("g1", 0, "p1", "it is 85", SampleStatus.OK),
                        RewardTopologyTest.rollout("g1", 1, "p1", "58", SampleStatus.OK)));
                Map<String, Reward> byRollout = new TreeMap<>();
                for (ConsumerRecord<String, Reward> r : pipeline.readAll(Topic.REWARDS, Reward.class, 2,
                        Duration.ofSeconds(60))) {
                    byRollout.put(r.value().getRolloutId(), r.value());
                }
                // The plug-in's rule: 0.25 per character, plus reward.correct (3.0) when the reference is in it.
                // "it is 85": 8 · 0.25 + 3 = 5.0; "58": 2 · 0.25 = 0.5.
                assertEquals(5.0, byRollout.get("g1/0").getScore());
                assertEquals(0.5, byRollout.get("g1/1").getScore());
                assertEquals("length", byRollout.get("g1/0").getVerifier());
                assertEquals(2, byRollout.size());
            }
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
    }
}
