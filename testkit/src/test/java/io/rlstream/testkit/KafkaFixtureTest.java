package io.rlstream.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.ops.TopicAdmin;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KafkaFixtureTest {

    static KafkaFixture kafka;

    @BeforeAll
    static void up() {
        long t0 = System.nanoTime();
        kafka = KafkaFixture.start();
        System.out.printf("KafkaFixture (%s) ready at %s (%.1f s)%n", kafka.backend(), kafka.bootstrapServers(),
                (System.nanoTime() - t0) / 1e9);
    }

    @AfterAll
    static void down() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void producesAndConsumes() throws Exception {
        String topic = "fixture-plain";
        kafka.admin().createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        try (KafkaProducer<String, String> producer = producer(Map.of())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get(30, TimeUnit.SECONDS);
            }
        }
        List<ConsumerRecord<String, String>> got = consume(topic, "read_committed", 10);
        assertEquals(10, got.size());
        Set<String> values = new java.util.TreeSet<>();
        got.forEach(r -> values.add(r.key() + "=" + r.value()));
        assertTrue(values.contains("k0=v0") && values.contains("k9=v9"), values.toString());
    }

    @Test
    void abortedTransactionsAreInvisibleToReadCommitted() throws Exception {
        String topic = "fixture-tx";
        kafka.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        try (KafkaProducer<String, String> producer = producer(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "fixture-tx-producer"))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "a", "aborted-1"));
            producer.send(new ProducerRecord<>(topic, "a", "aborted-2"));
            producer.flush();
            producer.abortTransaction();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "c", "committed"));
            producer.commitTransaction();
        }
        List<String> committed = consume(topic, "read_committed", 1).stream().map(ConsumerRecord::value).toList();
        assertEquals(List.of("committed"), committed);
        // The aborted records are in the log: a read_uncommitted consumer sees them, so the check above means something.
        List<String> all = consume(topic, "read_uncommitted", 3).stream().map(ConsumerRecord::value).toList();
        assertEquals(List.of("aborted-1", "aborted-2", "committed"), all);
    }

    @Test
    void createsTheCatalogTopicsIdempotentlyWithTheirConfigs() throws Exception {
        TopicCatalog catalog = new TopicCatalog("cat.", 3);
        kafka.createTopics(catalog);
        kafka.createTopics(catalog); // again: no error, nothing changes
        List<String> names = catalog.topics().stream().map(catalog::name).toList();
        Map<String, TopicDescription> topics = kafka.admin().describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
        for (Topic t : catalog.topics()) {
            assertEquals(catalog.partitions(t), topics.get(catalog.name(t)).partitions().size(), t.name());
        }
        assertEquals(3, topics.get("cat.rewards").partitions().size());
        ConfigResource rollouts = new ConfigResource(ConfigResource.Type.TOPIC, "cat.rollouts");
        ConfigResource stats = new ConfigResource(ConfigResource.Type.TOPIC, "cat.prompt-stats");
        Map<ConfigResource, Config> configs = kafka.admin().describeConfigs(List.of(rollouts, stats)).all().get(30, TimeUnit.SECONDS);
        assertEquals(Integer.toString(Topic.MAX_MESSAGE_BYTES), configs.get(rollouts).get("max.message.bytes").value());
        assertEquals("zstd", configs.get(rollouts).get("compression.type").value());
        assertEquals("compact", configs.get(stats).get("cleanup.policy").value());

        // A 12 MiB record fits the rollouts topic (the broker and topic limits are raised).
        byte[] big = new byte[12 * 1024 * 1024];
        new java.util.Random(7).nextBytes(big);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(with(kafka.clientConfig(), Map.of(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topic.MAX_MESSAGE_BYTES)),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("cat.rollouts", "g-big", big)).get(60, TimeUnit.SECONDS);
        }
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(with(kafka.clientConfig(), Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, "big-reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topic.MAX_MESSAGE_BYTES)),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("cat.rollouts"));
            byte[] got = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (got == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    got = r.value();
                }
            }
            assertTrue(Arrays.equals(big, got), "the 12 MiB record did not come back intact");
        }
    }

    @Test
    void refusesACoPartitionedTopicWithAnotherPartitionCount() throws Exception {
        kafka.admin().createTopics(List.of(new NewTopic("mis.rollouts", 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        TopicCatalog catalog = new TopicCatalog("mis.", 4);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TopicAdmin.createTopics(kafka.admin(), catalog, (short) 1));
        assertTrue(e.getMessage().contains("mis.rollouts has 2 partitions"), e.getMessage());
        assertTrue(e.getMessage().contains("needs 4"), e.getMessage());
        // It failed before creating anything.
        Set<String> names = kafka.admin().listTopics().names().get(30, TimeUnit.SECONDS);
        assertFalse(names.contains("mis.prompts"), names.toString());
        assertFalse(names.contains("mis.rewards"), names.toString());
    }

    private static Map<String, Object> with(Map<String, Object> base, Map<String, Object> extra) {
        base.putAll(extra);
        return base;
    }

    private static KafkaProducer<String, String> producer(Map<String, Object> extra) {
        Map<String, Object> config = kafka.clientConfig();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.putAll(extra);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    private static List<ConsumerRecord<String, String>> consume(String topic, String isolation, int expected) {
        Map<String, Object> config = kafka.clientConfig();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, topic + "-" + isolation);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            // One more short poll: more records than expected would be a failure too.
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        }
        return records;
    }
}
