package io.rlstream.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.Metric;
import io.rlstream.ops.security.AclSet;
import io.rlstream.ops.security.RlstreamService;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.RegistryFixture;
import io.rlstream.testkit.SecureKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rlstream connect} (its in-process Kafka Connect worker with both sinks, Iceberg and
 * JSONL) under its own principal ({@code User:rlstream-connect}) with only its ACLs
 * ({@code rlstream acls}' set) on a broker with SASL/SCRAM and an authorizer: it creates its
 * dead-letter and control topics, its sink tasks read in their groups, the Iceberg sink's
 * coordinator commits through its control topic, and a record that does not decode goes to the
 * dead-letter topic, until it has caught up.
 */
class ConnectAclsIT {

    static final TopicCatalog CATALOG = TopicCatalog.defaults();

    @Test
    void connectSinksUnderItsOwnPrincipal(@TempDir Path dir) throws Exception {
        try (SecureKafka kafka = SecureKafka.start()) {
            kafka.createTopics(CATALOG);
            kafka.applyAcls(AclSet.defaults());
            Map<String, String> settings = kafka.addServiceUser(RlstreamService.CONNECT);
            // the command's --config file's client settings, unprefixed (as ConnectCommand reads them)
            Map<String, String> client = new LinkedHashMap<>();
            settings.forEach((k, v) -> {
                if (k.startsWith("kafka.")) {
                    client.put(k.substring("kafka.".length()), v);
                }
            });
            String metrics = CATALOG.name(Topic.METRICS);
            Map<String, Object> admin = new HashMap<>(kafka.clientSettings(SecureKafka.ADMIN, SecureKafka.ADMIN_PASSWORD));
            try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(admin, new StringSerializer(), new ByteArraySerializer())) {
                p.send(new ProducerRecord<>(metrics, 0, "acl", "not avro".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
                Metric good = Metric.newBuilder().setName("acl.after_bad_record").setValue(0.5).setSource("acl")
                        .setTime(Instant.now()).build();
                p.send(new ProducerRecord<>(metrics, 0, "acl",
                        RegistryFixture.serdes().serde(Metric.class).serializer().serialize(metrics, good))).get(30, TimeUnit.SECONDS);
            }
            Path lakeDir = dir.resolve("lake");
            LakeConnectors lake = new LakeConnectors(kafka.bootstrapServers(), RegistryFixture.url(), lakeDir,
                    ConnectCommand.DEFAULT_TOPICS, Map.of(), client);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int status = ConnectCommand.run(lake, true, true, true, Duration.ofSeconds(150), Duration.ofSeconds(30),
                    new PrintStream(out, true, StandardCharsets.UTF_8));
            assertEquals(ConnectCommand.OK, status, out.toString(StandardCharsets.UTF_8));
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("caught up"), out.toString(StandardCharsets.UTF_8));
            // the good record is in the JSONL file; the bad one went to the dead-letter topic (one per sink)
            String lines = Files.readString(lake.jsonlDir().resolve(metrics + ".jsonl"));
            assertTrue(lines.contains("acl.after_bad_record"), lines);
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(admin, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> parts = c.partitionsFor(LakeConnectors.DEAD_LETTER_TOPIC).stream()
                        .map(pi -> new TopicPartition(pi.topic(), pi.partition())).toList();
                long dead = c.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
                assertEquals(2, dead, "the bad record, once from each sink");
            }
        }
    }
}
