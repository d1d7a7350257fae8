package io.rlstream.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rlstream.events.Prompt;
import io.rlstream.events.Reward;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.reward.stream.RewardTopologyTest;
import io.rlstream.schemas.RegistrySerdes;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.KafkaFixture;
import io.rlstream.testkit.RegistryFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reward service on the real broker and registry, exactly-once, with the prompts global table. */
class RewardServiceIT {

    @Test
    void everyRolloutGetsOneCommittedRewardScoredAgainstItsPrompt(@TempDir Path state) throws Exception {
        TopicCatalog catalog = new TopicCatalog("rw.", 2);
        RegistrySerdes serdes = RegistryFixture.serdes();
        try (KafkaFixture kafka = KafkaFixture.start()) {
            kafka.createTopics(catalog);
            try (KafkaProducer<String, Prompt> prompts = new KafkaProducer<>(kafka.clientConfig(), new StringSerializer(),
                    serdes.serde(Prompt.class).serializer())) {
                prompts.send(new ProducerRecord<>(catalog.name(Topic.PROMPTS), "p1", Prompt.newBuilder().setPromptId("p1")
                        .setText("37+48=").setReferenceAnswer("85").setCreatedAt(Instant.EPOCH).build())).get();
            }
            Map<String, Object> settings = new HashMap<>();
            settings.put("bootstrap.servers", kafka.bootstrapServers());
            settings.put("registry.url", RegistryFixture.url());
            settings.put("topic.prefix", "rw.");
            settings.put("group.partitions", "2");
            settings.put(RewardServiceConfig.STATE_DIR, state.toString());
            try (RewardService service = new RewardService(new RewardServiceConfig(settings))) {
                service.start();
                try (KafkaProducer<String, Rollout> rollouts = new KafkaProducer<>(kafka.clientConfig(),
                        new StringSerializer(), serdes.serde(Rollout.class).serializer())) {
                    for (Rollout r : List.of(
                            RewardTopologyTest.rollout("g1", 0, "p1", "85", SampleStatus.OK),
                            RewardTopologyTest.rollout("g1", 1, "p1", "58", SampleStatus.OK),
                            RewardTopologyTest.rollout("g2", 0, "p1", "", SampleStatus.FAILED))) {
                        rollouts.send(new ProducerRecord<>(catalog.name(Topic.ROLLOUTS), r.getGroupId(), r)).get();
                    }
                }
                Map<String, Reward> byRollout = readRewards(kafka, catalog, serdes, 3);
                assertEquals(1.0, byRollout.get("g1/0").getScore());
                assertEquals(0.0, byRollout.get("g1/1").getScore());
                assertEquals(SampleStatus.FAILED, byRollout.get("g2/0").getStatus());
                assertEquals(3, byRollout.size());
            }
        }
    }

    private static Map<String, Reward> readRewards(KafkaFixture kafka, TopicCatalog catalog, RegistrySerdes serdes, int n) {
        Map<String, Object> props = new HashMap<>(kafka.clientConfig());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, Reward> out = new TreeMap<>();
        try (KafkaConsumer<String, Reward> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                serdes.serde(Reward.class).deserializer())) {
            List<TopicPartition> parts = List.of(new TopicPartition(catalog.name(Topic.REWARDS), 0),
                    new TopicPartition(catalog.name(Topic.REWARDS), 1));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.currentTimeMillis() + 60_000;
            while (out.size() < n && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, Reward> r : consumer.poll(Duration.ofMillis(200))) {
                    assertEquals(r.key(), r.value().getGroupId());
                    Reward previous = out.put(r.value().getRolloutId(), r.value());
                    assertEquals(null, previous, "reward for " + r.value().getRolloutId() + " delivered twice");
                }
            }
            // Nothing beyond the n expected rewards arrives.
            consumer.poll(Duration.ofMillis(500)).forEach(r -> out.put("extra:" + r.value().getRolloutId(), r.value()));
        }
        return out;
    }
}
