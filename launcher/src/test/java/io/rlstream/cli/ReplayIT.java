package io.rlstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.FinishReason;
import io.rlstream.events.Reward;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.schemas.RegistrySerdes;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.KafkaFixture;
import io.rlstream.testkit.RegistryFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** {@code rlstream replay} over rollouts and rewards recorded on a real broker, as a user runs it. */
class ReplayIT {

    @Test
    void replayWritesTheGivenConfigurationsBatchesUnderItsPrefixAndStops() throws Exception {
        TopicCatalog live = TopicCatalog.defaults();
        try (KafkaFixture kafka = KafkaFixture.start()) {
            kafka.createTopics(live);
            RegistrySerdes serdes = RegistryFixture.serdes();
            // recorded: 4 groups of G = 2 with rewards [1, 0]
            try (KafkaProducer<String, Rollout> rollouts = new KafkaProducer<>(kafka.clientConfig(),
                    new StringSerializer(), serdes.serde(Rollout.class).serializer());
                 KafkaProducer<String, Reward> rewards = new KafkaProducer<>(kafka.clientConfig(),
                         new StringSerializer(), serdes.serde(Reward.class).serializer())) {
                for (int g = 0; g < 4; g++) {
                    String group = "recorded-" + g;
                    for (int i = 0; i < 2; i++) {
                        rollouts.send(new ProducerRecord<>(live.name(Topic.ROLLOUTS), group, Rollout.newBuilder()
                                .setRolloutId(group + "/" + i).setGroupId(group).setPromptId("p" + g).setSampleIndex(i)
                                .setGroupSize(2).setPromptTokenIds(List.of(1)).setResponseTokenIds(List.of(4, 5))
                                .setBehaviourLogprobs(List.of(-0.1f, -0.2f)).setResponseText("x").setPolicyVersion(3)
                                .setFinishReason(FinishReason.STOP).setStatus(SampleStatus.OK)
                                .setGeneratedAt(Instant.now()).build()));
                        rewards.send(new ProducerRecord<>(live.name(Topic.REWARDS), group, Reward.newBuilder()
                                .setRolloutId(group + "/" + i).setGroupId(group).setPromptId("p" + g)
                                .setScore(1 - i).setStatus(SampleStatus.OK).setVerifier("it")
                                .setScoredAt(Instant.now()).build()));
                    }
                }
            }
            Path state = Files.createTempDirectory(Path.of("target"), "replay-state-");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = Rlstream.run(List.of("replay", "--application-id", "replay-drgrpo", "--output-prefix", "r1.",
                            "--bootstrap-server", kafka.bootstrapServers(), "--registry-url", RegistryFixture.url(),
                            "--set", "batch.groups=2", "--set", "group.size=2", "--set", "advantage.estimator=drgrpo",
                            "--set", "processors.state.dir=" + state, "--idle-seconds", "2"),
                    new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
            String text = out.toString(StandardCharsets.UTF_8);
            assertEquals(0, code, text);
            assertTrue(text.contains("done: 2 batches on r1.training-batches"), text);

            Map<String, Object> c = new HashMap<>(kafka.clientConfig());
            c.put(ConsumerConfig.GROUP_ID_CONFIG, "check");
            c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            List<TrainingBatchGroup> batches = new ArrayList<>();
            try (KafkaConsumer<String, TrainingBatchGroup> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                    serdes.serde(TrainingBatchGroup.class).deserializer())) {
                consumer.subscribe(List.of("r1.training-batches"));
                long deadline = System.currentTimeMillis() + 15_000;
                while (batches.size() < 4 && System.currentTimeMillis() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> batches.add(r.value()));
                }
            }
            assertEquals(4, batches.size());
            // Dr.GRPO: r - mean = [0.5, -0.5], no division by the std
            assertEquals(List.of(0.5f, -0.5f), batches.get(0).getSamples().stream().map(s -> s.getAdvantage()).toList());
            assertEquals("drgrpo", batches.get(0).getEstimator());
        }
    }
}
