package io.rlstream.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The Testcontainers backend: runs where a Docker engine is available, and is skipped (not
 * failed) elsewhere. The in-process backend is tested by {@link KafkaFixtureTest}.
 */
class TestcontainersKafkaFixtureTest {

    @Test
    void producesAndConsumesThroughAContainer() throws Exception {
        // Started here, not in @BeforeAll, so that surefire reports the test as skipped without Docker.
        try (KafkaFixture kafka = KafkaFixture.start(KafkaFixture.Backend.TESTCONTAINERS)) {
            roundTrip(kafka);
        }
    }

    private static void roundTrip(KafkaFixture kafka) throws Exception {
        assertEquals(KafkaFixture.Backend.TESTCONTAINERS, kafka.backend());
        kafka.admin().createTopics(List.of(new NewTopic("tc", 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.clientConfig(),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("tc", "k", "v")).get(60, TimeUnit.SECONDS);
        }
        Map<String, Object> config = kafka.clientConfig();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "tc");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of("tc"));
            ConsumerRecords<String, String> records = ConsumerRecords.empty();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (records.isEmpty() && System.nanoTime() < deadline) {
                records = consumer.poll(Duration.ofMillis(500));
            }
            assertEquals("v", records.iterator().next().value());
        }
    }
}
