package io.rlstream.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.Prompt;
import io.rlstream.events.Reward;
import io.rlstream.events.SampleStatus;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The shared pipeline fixture on the real broker and registry, as a class-wide extension (one
 * broker for all tests: each test uses its own topic).
 */
class PipelineFixtureTest {

    private static final TopicCatalog CATALOG = new TopicCatalog("fx.", 2);
    @RegisterExtension
    static final PipelineFixture pipeline = PipelineFixture.extension(CATALOG);

    @Test
    void anExtensionThatIsNotStartedSaysHowToStartIt() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> PipelineFixture.extension(CATALOG).serviceSettings());
        assertEquals("the pipeline fixture is not started: use PipelineFixture.start(..), or register"
                + " PipelineFixture.extension(..) with @RegisterExtension", e.getMessage());
    }

    private static Reward reward(String group, int index) {
        return Reward.newBuilder().setRolloutId(group + "/" + index).setGroupId(group).setPromptId("p")
                .setScore(index).setStatus(SampleStatus.OK).setVerifier("fixture")
                .setScoredAt(Instant.ofEpochMilli(1)).build();
    }

    private static Prompt prompt(String id) {
        return Prompt.newBuilder().setPromptId(id).setText(id + "=").setCreatedAt(Instant.ofEpochMilli(1)).build();
    }

    @Test
    void createsEveryTopicOfTheCatalogWithItsPartitions() throws Exception {
        Map<String, Integer> partitions = new TreeMap<>();
        pipeline.kafka().admin().describeTopics(CATALOG.topics().stream().map(CATALOG::name).toList())
                .allTopicNames().get().forEach((name, d) -> partitions.put(name, d.partitions().size()));
        assertEquals(CATALOG.topics().size(), partitions.size(), partitions.toString());
        assertEquals(2, partitions.get("fx.rewards"));
        assertEquals(1, partitions.get("fx.prompts"));
    }

    @Test
    void serviceSettingsReachThisBrokerRegistryAndCatalog() {
        assertEquals(Map.of("bootstrap.servers", pipeline.bootstrapServers(), "registry.url", RegistryFixture.url(),
                "topic.prefix", "fx.", "group.partitions", "2"), pipeline.serviceSettings());
        pipeline.serviceSettings().put("mutable", "yes");
    }

    @Test
    void recordsSentToAGroupedTopicAreReadBackFromEveryPartition() {
        List<Reward> sent = List.of(reward("g1", 0), reward("g1", 1), reward("g2", 0), reward("g3", 0));
        pipeline.sendAll(Topic.REWARDS, Reward::getGroupId, sent);
        List<ConsumerRecord<String, Reward>> read = pipeline.readAll(Topic.REWARDS, Reward.class, 4, Duration.ofSeconds(20));
        assertEquals(Set.copyOf(sent), read.stream().map(ConsumerRecord::value).collect(Collectors.toSet()));
        read.forEach(r -> assertEquals(r.value().getGroupId(), r.key()));
        // Keys partition as the services' producers partition them: one group, one partition.
        assertEquals(1, read.stream().filter(r -> r.key().equals("g1")).map(ConsumerRecord::partition).distinct().count());
        assertEquals(sent.size(), pipeline.readToEnd(Topic.REWARDS, Reward.class).size());
    }

    @Test
    void readingOnAfterTheExpectedCountShowsARecordWrittenTwice() {
        pipeline.send(Topic.PROMPTS, "p1", prompt("p1"));
        pipeline.send(Topic.PROMPTS, "p1", prompt("p1"));
        assertEquals(List.of(prompt("p1"), prompt("p1")),
                pipeline.readValues(Topic.PROMPTS, Prompt.class, 1, Duration.ofSeconds(20)));
    }

    @Test
    void readsOnlyCommittedRecordsAsTheServicesWriteInTransactions() throws Exception {
        Map<String, Object> config = pipeline.kafka().clientConfig();
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "fixture-test");
        String topic = pipeline.topic(Topic.CHECKPOINTS);
        try (KafkaProducer<String, CheckpointPublished> producer = new KafkaProducer<>(config, new StringSerializer(),
                pipeline.serdes().serde(CheckpointPublished.class).serializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "demo", checkpoint(1))).get();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "demo", checkpoint(2))).get();
            producer.commitTransaction();
        }
        assertEquals(List.of(checkpoint(2)), pipeline.readToEnd(Topic.CHECKPOINTS, CheckpointPublished.class));
        assertEquals(checkpoint(2), pipeline.await(Topic.CHECKPOINTS, CheckpointPublished.class,
                c -> c.getVersion() == 2, Duration.ofSeconds(10)));
        AssertionError none = assertThrows(AssertionError.class, () -> pipeline.await(Topic.CHECKPOINTS,
                CheckpointPublished.class, c -> c.getVersion() == 1, Duration.ofSeconds(1)));
        assertEquals("no CheckpointPublished as expected on fx.checkpoints within PT1S", none.getMessage());
    }

    @Test
    void bytesGoAsTheyAre() {
        pipeline.sendBytes(Topic.DEAD_LETTERS, "junk", "not avro".getBytes(StandardCharsets.UTF_8));
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(
                Map.<String, Object>of("bootstrap.servers", pipeline.bootstrapServers(), "group.id", "bytes",
                        "auto.offset.reset", "earliest"),
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.StringDeserializer())) {
            consumer.subscribe(List.of(pipeline.topic(Topic.DEAD_LETTERS)));
            List<String> values = new java.util.ArrayList<>();
            long deadline = System.currentTimeMillis() + 20_000;
            while (values.isEmpty() && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(r -> values.add(r.key() + "=" + r.value()));
            }
            assertEquals(List.of("junk=not avro"), values);
        }
    }

    private static CheckpointPublished checkpoint(long version) {
        return CheckpointPublished.newBuilder().setPolicyName("demo").setVersion(version).setUri("file:/v" + version)
                .setStep(version).setCreatedAt(Instant.ofEpochMilli(1)).build();
    }
}
