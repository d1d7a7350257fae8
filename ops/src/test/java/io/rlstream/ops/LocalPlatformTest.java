package io.rlstream.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.FinishReason;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts the real broker and registry processes three times in one run folder: once in another
 * JVM that is then killed hard (SIGKILL, no shutdown hooks), then twice in this JVM, each time
 * round-tripping a Rollout through the registry serdes.
 */
class LocalPlatformTest {

    @TempDir
    Path tmp;

    @Test
    void startsAfterAHardKilledRunAndAgainAfterAClosedOne() throws Exception {
        Path runDir = tmp.resolve("run");

        // 1. A platform in another JVM, killed hard once it is up.
        List<ProcessHandle> orphans = startAndKillHard(runDir);
        for (ProcessHandle child : orphans) {
            child.onExit().get(60, TimeUnit.SECONDS);
            assertFalse(child.isAlive(), "child " + child.pid() + " outlived its hard-killed parent");
        }

        // 2. and 3. Start in the same folder without any cleanup, use it, close, start again.
        for (int run = 1; run <= 2; run++) {
            try (LocalPlatform platform = LocalPlatform.start(runDir, TopicCatalog.defaults(), System.out)) {
                TopicCatalog catalog = platform.catalog();
                try (Admin admin = platform.admin()) {
                    Map<String, TopicDescription> topics = admin.describeTopics(
                            catalog.topics().stream().map(catalog::name).toList()).allTopicNames().get(30, TimeUnit.SECONDS);
                    assertEquals(catalog.topics().size(), topics.size());
                    assertEquals(catalog.groupPartitions(), topics.get(catalog.name(Topic.ROLLOUTS)).partitions().size());
                    assertEquals(1, topics.get(catalog.name(Topic.PROMPTS)).partitions().size());
                }
                String topic = catalog.name(Topic.ROLLOUTS);
                Serde<Rollout> serde = platform.serdes().serde(Rollout.class);
                // A fresh cluster each start: nothing left over from the previous run.
                assertEquals(0, endOffsetTotal(platform, topic), "run " + run + " sees records of an earlier run");

                Rollout sent = rollout("g-" + run);
                try (KafkaProducer<String, Rollout> producer = new KafkaProducer<>(
                        Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers(),
                                ProducerConfig.ACKS_CONFIG, "all"),
                        new StringSerializer(), serde.serializer())) {
                    producer.send(new ProducerRecord<>(topic, sent.getGroupId(), sent)).get(30, TimeUnit.SECONDS);
                }
                List<ConsumerRecord<String, Rollout>> got = consume(platform, topic, serde, 1);
                assertEquals(1, got.size());
                assertEquals(sent.getGroupId(), got.get(0).key());
                assertEquals(sent, got.get(0).value());

                Properties client = new Properties();
                try (var in = Files.newBufferedReader(runDir.resolve("client.properties"))) {
                    client.load(in);
                }
                assertEquals(platform.bootstrapServers(), client.getProperty("bootstrap.servers"));
                assertEquals(platform.registryUrl(), client.getProperty("apicurio.registry.url"));
            }
        }
    }

    /** Runs LocalPlatform.main in a child JVM, waits for it to be up, SIGKILLs it; returns its children. */
    private static List<ProcessHandle> startAndKillHard(Path runDir) throws Exception {
        Files.createDirectories(runDir);
        Path out = runDir.getParent().resolve("killed-platform.out");
        Process platform = new ProcessBuilder(ChildProcesses.javaExecutable(),
                "-Drlstream.log.level=WARN",
                "-cp", System.getProperty("java.class.path") + File.pathSeparator
                        + ChildProcesses.codeSource(LocalPlatform.class),
                LocalPlatform.class.getName(), runDir.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (!Files.readString(out).contains("local platform running")) {
                assertTrue(platform.isAlive(), "platform JVM died: " + Files.readString(out));
                assertTrue(System.nanoTime() < deadline, "platform JVM not up in time: " + Files.readString(out));
                Thread.sleep(200);
            }
            List<ProcessHandle> children = new ArrayList<>(platform.descendants().toList());
            assertEquals(2, children.size(), "expected a broker and a registry process: " + children);
            platform.destroyForcibly(); // SIGKILL: no shutdown hooks run
            platform.waitFor(30, TimeUnit.SECONDS);
            System.out.println("killed platform JVM " + platform.pid() + " hard; its children "
                    + children.stream().map(ProcessHandle::pid).toList() + " must exit by themselves");
            return children;
        } finally {
            platform.destroyForcibly();
        }
    }

    private static long endOffsetTotal(LocalPlatform platform, String topic) throws Exception {
        try (Admin admin = platform.admin()) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
                    .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
        }
    }

    private static List<ConsumerRecord<String, Rollout>> consume(LocalPlatform platform, String topic,
            Serde<Rollout> serde, int expected) {
        List<ConsumerRecord<String, Rollout>> records = new ArrayList<>();
        try (KafkaConsumer<String, Rollout> consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "local-platform-test",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), serde.deserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
        }
        return records;
    }

    static Rollout rollout(String groupId) {
        return Rollout.newBuilder()
                .setRolloutId(groupId + "/0")
                .setGroupId(groupId)
                .setPromptId("p-1")
                .setSampleIndex(0)
                .setGroupSize(4)
                .setPromptTokenIds(List.of(1, 2, 3))
                .setResponseTokenIds(List.of(7, 8))
                .setBehaviourLogprobs(List.of(-0.5f, -1.25f))
                .setResponseText("42")
                .setPolicyVersion(3L)
                .setFinishReason(FinishReason.STOP)
                .setStatus(SampleStatus.OK)
                .setGeneratorId("test")
                .setGeneratedAt(Instant.ofEpochMilli(1_700_000_000_000L))
                .build();
    }
}
