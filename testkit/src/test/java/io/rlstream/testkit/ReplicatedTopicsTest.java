package io.rlstream.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rlstream.config.ExactlyOnceStreams;
import io.rlstream.config.ServiceConfig;
import io.rlstream.ops.TopicAdmin;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TopicListing;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog's topics and Kafka Streams' internal topics on an in-process cluster of 3 brokers:
 * replication factor 3 and min.insync.replicas 2 by default (min(3, brokers), min(2, rf)), or what
 * topic.replication.factor and topic.min.insync.replicas say; read back from the cluster.
 */
class ReplicatedTopicsTest {

    static KafkaFixture kafka;

    @BeforeAll
    static void up() {
        kafka = KafkaFixture.startCluster(3);
    }

    @AfterAll
    static void down() {
        kafka.close();
    }

    @Test
    void catalogTopicsGet3CopiesAndMinInsync2ByDefault() throws Exception {
        assertEquals(3, TopicAdmin.brokerCount(kafka.admin()));
        TopicCatalog catalog = new TopicCatalog("auto.", 4);
        TopicAdmin.createTopics(kafka.admin(), catalog, new ServiceConfig(ServiceConfig.baseDef(), Map.of()));
        for (Topic t : catalog.topics()) {
            assertEquals(3, replicas(catalog.name(t)), catalog.name(t));
            assertEquals("2", topicConfig(catalog.name(t), "min.insync.replicas"), catalog.name(t));
        }
        // the fixture's own createTopics: the same
        TopicCatalog fixture = new TopicCatalog("fixture.", 4);
        kafka.createTopics(fixture);
        assertEquals(3, replicas(fixture.name(Topic.ROLLOUTS)));
        assertEquals("2", topicConfig(fixture.name(Topic.ROLLOUTS), "min.insync.replicas"));
    }

    @Test
    void settingsOverrideTheAutomaticValues() throws Exception {
        TopicCatalog catalog = new TopicCatalog("set.", 4);
        TopicAdmin.createTopics(kafka.admin(), catalog, new ServiceConfig(ServiceConfig.baseDef(),
                Map.of("topic.replication.factor", "2", "topic.min.insync.replicas", "1")));
        assertEquals(2, replicas(catalog.name(Topic.TRAINING_BATCHES)));
        assertEquals("1", topicConfig(catalog.name(Topic.TRAINING_BATCHES), "min.insync.replicas"));
    }

    @Test
    void streamsInternalTopicsAreReplicatedAsSet(@TempDir Path state) throws Exception {
        // automatic: the broker's defaults, which a cluster of 3 sets to 3 and 2
        Map<String, TopicDescription> auto = internalTopicsOf("auto-app", Map.of(), state.resolve("a"));
        // topic.replication.factor=2: 2 copies, min.insync.replicas min(2, 2) = 2
        Map<String, TopicDescription> set = internalTopicsOf("set-app", Map.of("topic.replication.factor", "2"),
                state.resolve("b"));
        for (TopicDescription d : auto.values()) {
            assertEquals(3, d.partitions().get(0).replicas().size(), d.name());
            assertEquals("2", topicConfig(d.name(), "min.insync.replicas"), d.name());
        }
        for (TopicDescription d : set.values()) {
            assertEquals(2, d.partitions().get(0).replicas().size(), d.name());
            assertEquals("2", topicConfig(d.name(), "min.insync.replicas"), d.name());
        }
    }

    /** Runs a counting Streams app (a repartition and a changelog topic) until its internal topics exist. */
    private Map<String, TopicDescription> internalTopicsOf(String app, Map<String, String> settings, Path state)
            throws Exception {
        String input = app + "-input";
        kafka.admin().createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(input, 1, (short) 3)))
                .all().get(30, TimeUnit.SECONDS);
        Map<String, String> all = new HashMap<>(settings);
        all.put("bootstrap.servers", kafka.bootstrapServers());
        Properties props = ExactlyOnceStreams.properties(new ServiceConfig(ServiceConfig.baseDef(), all), app,
                state.toString(), 100);
        props.put("default.key.serde", Serdes.StringSerde.class.getName());
        props.put("default.value.serde", Serdes.StringSerde.class.getName());
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(input, Consumed.with(Serdes.String(), Serdes.String())).selectKey((k, v) -> v).groupByKey().count();
        try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
            streams.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                Set<String> names = kafka.admin().listTopics().listings().get(30, TimeUnit.SECONDS).stream()
                        .map(TopicListing::name).filter(n -> n.startsWith(app + "-") && !n.equals(input))
                        .collect(java.util.stream.Collectors.toSet());
                if (names.stream().anyMatch(n -> n.endsWith("-changelog"))
                        && names.stream().anyMatch(n -> n.endsWith("-repartition"))) {
                    return kafka.admin().describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no internal topics of " + app + " within 60 s: " + names);
                }
                Thread.sleep(200);
            }
        }
    }

    private static int replicas(String topic) throws Exception {
        return eventually(() -> kafka.admin().describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(topic).partitions().get(0).replicas().size());
    }

    private static String topicConfig(String topic, String key) throws Exception {
        Admin admin = kafka.admin();
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return eventually(() -> admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r).get(key).value());
    }

    /** A new topic reaches every broker's metadata a moment after its creation: retry unknown-topic answers for 30 s. */
    private static <T> T eventually(java.util.concurrent.Callable<T> call) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                return call.call();
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }
}
