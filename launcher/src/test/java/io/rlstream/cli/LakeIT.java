package io.rlstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlstream.demo.Demo;
import io.rlstream.demo.DemoSettings;
import io.rlstream.lake.AvroConnectData;
import io.rlstream.lake.ConnectCommand;
import io.rlstream.lake.LakeCommand;
import io.rlstream.lake.LakeConnectors;
import io.rlstream.lake.LakeTables;
import io.rlstream.schemas.Topic;
import io.rlstream.testkit.KafkaFixture;
import io.rlstream.testkit.RegistryFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data lake's proof: after a real demo run through the broker and the registry,
 * {@code rlstream connect --until-caught-up} leaves, for each of rl.rollouts, rl.rewards,
 * rl.training-batches and rl.metrics, an Iceberg table and a JSONL file that hold exactly the
 * records a read_committed consumer sees on the topic: the same (partition, offset) set, so the
 * same count, no loss and no duplicate; and the first and the last record, decoded with the
 * registry serde, equal field by field to their Iceberg row and their JSONL line. A value that
 * is not registry Avro, put on rl.metrics after the demo, goes to the dead-letter topic from each
 * sink with the error in its headers, and the good record after it reaches the lake.
 */
class LakeIT {

    static final List<String> TOPICS = ConnectCommand.DEFAULT_TOPICS;

    record Key(int partition, long offset) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            return partition != o.partition ? Integer.compare(partition, o.partition) : Long.compare(offset, o.offset);
        }
    }

    @Test
    void connectSinksEveryRecordOfTheDemoIntoIcebergAndJsonl(@TempDir Path dir) throws Exception {
        Path lakeDir = dir.resolve("lake");
        try (KafkaFixture kafka = KafkaFixture.start()) {
            PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            // A short RL run: what matters is that every topic has records, some in transactions.
            new Demo(DemoSettings.defaults(dir.resolve("run")).withBudget(Duration.ofSeconds(40)).withTarget(0.99),
                    kafka.bootstrapServers(), RegistryFixture.url(), out).run();
            // One value that is not registry Avro, then a good one after it: the bad record must
            // reach the dead-letter topic (from each sink), not the lake, and must not stop the sinks.
            long badOffset = produceBadThenGoodMetric(kafka.clientConfig());
            Key bad = new Key(0, badOffset);

            ByteArrayOutputStream console = new ByteArrayOutputStream();
            PrintStream connectOut = new PrintStream(new TeeStream(console, System.out), true, StandardCharsets.UTF_8);
            long start = System.nanoTime();
            int rc = ConnectCommand.run(new LakeConnectors(kafka.bootstrapServers(), RegistryFixture.url(), lakeDir, TOPICS,
                    Map.of()), true, true, true, Duration.ofSeconds(120), Duration.ofSeconds(5), connectOut);
            System.out.printf("LakeIT: connect caught up in %.1f s%n", (System.nanoTime() - start) / 1e9);
            assertEquals(ConnectCommand.OK, rc, console.toString(StandardCharsets.UTF_8));
            assertTrue(console.toString(StandardCharsets.UTF_8).contains("caught up: rl.rollouts jsonl "), "progress printed");

            ObjectMapper json = new ObjectMapper();
            try (LakeTables tables = new LakeTables(lakeDir.resolve("iceberg"))) {
                for (String topic : TOPICS) {
                    Map<Key, byte[]> records = readTopic(kafka.clientConfig(), topic);
                    assertTrue(records.size() > 0, topic + " has records after the demo");
                    if (topic.equals("rl.metrics")) {
                        assertNotNull(records.remove(bad), "the undecodable record is on rl.metrics");
                    }

                    Map<Key, Map<String, Object>> rows = new TreeMap<>();
                    for (Map<String, Object> row : tables.rows(topic)) {
                        assertEquals(topic, row.get(LakeConnectors.TOPIC_FIELD));
                        Map<String, Object> previous = rows.put(key(row), row);
                        assertEquals(null, previous, topic + ": one row per record, no duplicate at " + key(row));
                    }
                    Map<Key, JsonNode> lines = new TreeMap<>();
                    for (String line : Files.readAllLines(lakeDir.resolve("jsonl").resolve(topic + ".jsonl"))) {
                        JsonNode node = json.readTree(line);
                        Key k = new Key(node.get(LakeConnectors.PARTITION_FIELD).asInt(), node.get(LakeConnectors.OFFSET_FIELD).asLong());
                        assertEquals(null, lines.put(k, node), topic + ": one line per record, no duplicate at " + k);
                    }
                    System.out.printf("LakeIT: %-20s topic %6d records | iceberg %6d rows | jsonl %6d lines%n", topic,
                            records.size(), rows.size(), lines.size());
                    assertEquals(records.keySet(), rows.keySet(), topic + ": the table holds exactly the topic's records");
                    assertEquals(records.keySet(), lines.keySet(), topic + ": the file holds exactly the topic's records");
                    assertEquals(records.size(), tables.count(topic), topic + ": snapshot row count");

                    Deserializer<? extends SpecificRecord> registry = RegistryFixture.serdes().serde(valueType(topic)).deserializer();
                    List<Key> keys = new ArrayList<>(records.keySet());
                    for (Key k : List.of(keys.get(0), keys.get(keys.size() - 1))) {
                        SpecificRecord event = registry.deserialize(topic, records.get(k));
                        Struct expected = new AvroConnectData().struct(event);
                        compare(expected.schema(), expected, rows.get(k), lines.get(k), topic + "@" + k);
                    }
                }
                // The undecodable record, once per sink, with the error and its coordinates in the headers.
                List<ConsumerRecord<byte[], byte[]>> dead = readRecords(kafka.clientConfig(), LakeConnectors.DEAD_LETTER_TOPIC);
                assertEquals(2, dead.size(), "one dead letter per sink, nothing else");
                java.util.Set<String> connectors = new java.util.TreeSet<>();
                for (ConsumerRecord<byte[], byte[]> d : dead) {
                    assertEquals("rl.metrics", header(d, "__connect.errors.topic"));
                    assertEquals(Long.toString(badOffset), header(d, "__connect.errors.offset"));
                    assertTrue(header(d, "__connect.errors.exception.message").contains("cannot be decoded as registry Avro"),
                            header(d, "__connect.errors.exception.message"));
                    assertEquals("not avro", new String(d.value(), StandardCharsets.UTF_8), "the original bytes");
                    connectors.add(header(d, "__connect.errors.connector.name"));
                }
                assertEquals(new java.util.TreeSet<>(List.of(LakeConnectors.ICEBERG, LakeConnectors.JSONL)), connectors);
                // The good metric after the bad one made it, with its values.
                Map<String, Object> last = tables.rows("rl.metrics").stream()
                        .filter(r -> ((Number) r.get(LakeConnectors.OFFSET_FIELD)).longValue() == badOffset + 1).findFirst().orElseThrow();
                assertEquals("lakeit.after_bad_record", last.get("name"));
                assertEquals(0.5, last.get("value"));

                // rlstream lake reads the same tables back.
                ByteArrayOutputStream lakeOut = new ByteArrayOutputStream();
                assertEquals(0, LakeCommand.run(List.of("count", "rl.rewards", "--lake", lakeDir.toString()),
                        new PrintStream(lakeOut, true, StandardCharsets.UTF_8), System.err));
                assertEquals(Long.toString(tables.count("rl.rewards")), lakeOut.toString(StandardCharsets.UTF_8).trim());
                lakeOut.reset();
                assertEquals(0, LakeCommand.run(List.of("head", "rl.metrics", "--n", "2", "--lake", lakeDir.toString()),
                        new PrintStream(lakeOut, true, StandardCharsets.UTF_8), System.err));
                String[] head = lakeOut.toString(StandardCharsets.UTF_8).trim().split("\n");
                assertEquals(2, head.length);
                assertTrue(json.readTree(head[0]).has("name"), head[0]);
            }
        }
    }

    /** Puts "not avro" and then a valid Metric on rl.metrics; returns the offset of the bad one. */
    static long produceBadThenGoodMetric(Map<String, Object> client) throws Exception {
        Map<String, Object> props = new HashMap<>(client);
        try (org.apache.kafka.clients.producer.KafkaProducer<String, byte[]> producer = new org.apache.kafka.clients.producer.KafkaProducer<>(
                props, new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            long offset = producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("rl.metrics", 0, "lakeit",
                    "not avro".getBytes(StandardCharsets.UTF_8))).get().offset();
            io.rlstream.events.Metric good = io.rlstream.events.Metric.newBuilder().setName("lakeit.after_bad_record")
                    .setValue(0.5).setSource("lakeit").setTime(java.time.Instant.now()).build();
            byte[] bytes = RegistryFixture.serdes().serde(io.rlstream.events.Metric.class).serializer().serialize("rl.metrics", good);
            long next = producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("rl.metrics", 0, "lakeit", bytes)).get().offset();
            assertEquals(offset + 1, next);
            return offset;
        }
    }

    static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        org.apache.kafka.common.header.Header h = r.headers().lastHeader(name);
        assertNotNull(h, "header " + name);
        return new String(h.value(), StandardCharsets.UTF_8);
    }

    static List<ConsumerRecord<byte[], byte[]>> readRecords(Map<String, Object> client, String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        readTopic(client, topic, out);
        return out;
    }

    static Map<Key, byte[]> readTopic(Map<String, Object> client, String topic) {
        return readTopic(client, topic, new ArrayList<>());
    }

    /** Every record a read_committed consumer sees, by (partition, offset), up to the end. */
    static Map<Key, byte[]> readTopic(Map<String, Object> client, String topic, List<ConsumerRecord<byte[], byte[]>> all) {
        Map<String, Object> props = new HashMap<>(client);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 32 * 1024 * 1024);
        Map<Key, byte[]> out = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                assertTrue(System.nanoTime() < deadline, "reading " + topic + " to its end took over 60 s");
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    out.put(new Key(r.partition(), r.offset()), r.value());
                    all.add(r);
                }
            }
        }
        return out;
    }

    static Key key(Map<String, Object> row) {
        return new Key(((Number) row.get(LakeConnectors.PARTITION_FIELD)).intValue(),
                ((Number) row.get(LakeConnectors.OFFSET_FIELD)).longValue());
    }

    static Class<? extends SpecificRecord> valueType(String topic) {
        return Arrays.stream(Topic.values()).filter(t -> t.topicName(Topic.DEFAULT_PREFIX).equals(topic)).findFirst()
                .orElseThrow().valueType();
    }

    /** The decoded record's value against its Iceberg row value and its JSONL value, recursively. */
    @SuppressWarnings("unchecked")
    static void compare(Schema schema, Object expected, Object iceberg, JsonNode json, String path) {
        if (expected == null) {
            assertEquals(null, iceberg, path);
            assertTrue(json == null || json.isNull(), path + ": " + json);
            return;
        }
        assertNotNull(iceberg, path + " in Iceberg");
        assertNotNull(json, path + " in JSONL");
        if (Timestamp.LOGICAL_NAME.equals(schema.name())) {
            long ms = ((Date) expected).getTime();
            assertEquals(ms, OffsetDateTime.parse(iceberg.toString()).toInstant().toEpochMilli(), path);
            assertEquals(ms, json.asLong(), path);
            return;
        }
        switch (schema.type()) {
            case STRUCT -> {
                Struct s = (Struct) expected;
                Map<String, Object> row = (Map<String, Object>) iceberg;
                for (Field f : schema.fields()) {
                    compare(f.schema(), s.get(f), row.get(f.name()), json.get(f.name()), path + "." + f.name());
                }
            }
            case ARRAY -> {
                List<?> e = (List<?>) expected;
                List<?> i = (List<?>) iceberg;
                assertEquals(e.size(), i.size(), path + " length in Iceberg");
                assertEquals(e.size(), json.size(), path + " length in JSONL");
                for (int n = 0; n < e.size(); n++) {
                    compare(schema.valueSchema(), e.get(n), i.get(n), json.get(n), path + "[" + n + "]");
                }
            }
            case MAP -> {
                Map<String, ?> e = (Map<String, ?>) expected;
                Map<?, ?> i = (Map<?, ?>) iceberg;
                assertEquals(e.keySet(), i.keySet(), path + " keys in Iceberg");
                assertEquals(e.size(), json.size(), path + " keys in JSONL");
                e.forEach((k, v) -> compare(schema.valueSchema(), v, i.get(k), json.get(k), path + "[" + k + "]"));
            }
            case FLOAT32 -> {
                assertEquals((Float) expected, ((Number) iceberg).floatValue(), path);
                assertEquals((Float) expected, (float) json.asDouble(), path);
            }
            case FLOAT64 -> {
                assertEquals((Double) expected, ((Number) iceberg).doubleValue(), path);
                assertEquals((Double) expected, json.asDouble(), path);
            }
            case INT32, INT64 -> {
                assertEquals(((Number) expected).longValue(), ((Number) iceberg).longValue(), path);
                assertEquals(((Number) expected).longValue(), json.asLong(), path);
            }
            case BOOLEAN -> {
                assertEquals(expected, iceberg, path);
                assertEquals(expected, json.asBoolean(), path);
            }
            default -> {
                assertEquals(expected.toString(), iceberg.toString(), path);
                assertEquals(expected.toString(), json.asText(), path);
            }
        }
    }
}
