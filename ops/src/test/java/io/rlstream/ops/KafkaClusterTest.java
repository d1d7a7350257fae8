package io.rlstream.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real broker processes (KRaft combined nodes, a static quorum): the catalog's topics get 3
 * replicas and min.insync.replicas 2, the leader of a partition is killed with SIGKILL, writes
 * with acks=all go on with two copies, and the node restarted with its own storage catches up
 * until every replica is in sync and it holds every record again.
 */
class KafkaClusterTest {

    @Test
    void replicationSettingsAreMin3BrokersAndMin2OfThat() {
        // By hand: rf = min(3, n), isr = min(2, rf): n=1 -> 1/1, n=2 -> 2/2, n=3 -> 3/2, n=5 -> 3/2.
        int[][] expected = {{1, 1, 1}, {2, 2, 2}, {3, 3, 2}, {5, 3, 2}};
        for (int[] e : expected) {
            Map<String, String> s = KafkaBrokerProcess.replicationSettings(e[0]);
            for (String rf : List.of("default.replication.factor", "offsets.topic.replication.factor",
                    "transaction.state.log.replication.factor", "share.coordinator.state.topic.replication.factor")) {
                assertEquals(Integer.toString(e[1]), s.get(rf), rf + " for " + e[0] + " brokers");
            }
            for (String isr : List.of("min.insync.replicas", "transaction.state.log.min.isr",
                    "share.coordinator.state.topic.min.isr")) {
                assertEquals(Integer.toString(e[2]), s.get(isr), isr + " for " + e[0] + " brokers");
            }
            assertEquals(e[1], TopicAdmin.defaultReplicationFactor(e[0]));
            assertEquals(e[2], TopicAdmin.defaultMinInsyncReplicas(e[1]));
        }
    }

    @Test
    void aKilledLeaderIsReplacedWritesGoOnAndTheRestartedNodeCatchesUp(@TempDir Path dir) throws Exception {
        TopicCatalog catalog = TopicCatalog.defaults();
        String topic = catalog.name(Topic.PROMPTS);
        try (KafkaCluster cluster = KafkaCluster.start(dir, 3, Duration.ofSeconds(120));
                Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
            assertEquals(Set.of(1, 2, 3), cluster.liveNodeIds());
            assertEquals(3, TopicAdmin.brokerCount(admin));
            TopicAdmin.createTopics(admin, catalog, TopicAdmin.defaultReplicationFactor(3));

            // Every catalog topic: 3 replicas on 3 distinct nodes, min.insync.replicas 2.
            Map<String, TopicDescription> described = describeOnceKnown(admin,
                    catalog.topics().stream().map(catalog::name).toList());
            for (TopicDescription d : described.values()) {
                for (TopicPartitionInfo p : d.partitions()) {
                    assertEquals(3, new HashSet<>(p.replicas()).size(), d.name() + "-" + p.partition());
                }
            }
            assertEquals("2", topicConfig(admin, topic, TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG));

            send(cluster, topic, 0, 100);
            int leader = described.get(topic).partitions().get(0).leader().id();
            Path leaderData = cluster.node(leader).dataDir().resolve("data");
            assertTrue(Files.isDirectory(leaderData.resolve(topic + "-0")), "the leader stores " + topic + "-0");

            long pid = cluster.node(leader).pid();
            cluster.kill(leader);
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "broker " + leader + " killed");
            // With one node down, acks=all writes still succeed (2 in-sync copies = min.insync.replicas).
            send(cluster, topic, 100, 100);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (cluster.liveNodeIds().contains(leader) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertFalse(cluster.liveNodeIds().contains(leader), "the controller fenced the killed broker");
            int newLeader = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                    .partitions().get(0).leader().id();
            assertTrue(newLeader != leader, "partition 0 led by another node, not " + leader);
            assertTrue(cluster.underReplicated(List.of(topic)).size() > 0, "replicas of the killed node out of sync");

            // Restart with the same node id, ports and storage.
            cluster.restart(leader, Duration.ofSeconds(120));
            assertEquals(pid != cluster.node(leader).pid(), true, "a new process");
            deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            List<String> under = cluster.underReplicated();
            while ((under == null || !under.isEmpty()) && System.nanoTime() < deadline) {
                Thread.sleep(500);
                under = cluster.underReplicated();
            }
            assertEquals(List.of(), under, "every replica in sync again");
            assertEquals(Set.of(1, 2, 3), cluster.liveNodeIds());

            // The restarted node holds all 200 records of partition 0 with no lag: its log dirs say so.
            Map<Integer, Map<String, LogDirDescription>> dirs = admin.describeLogDirs(List.of(leader)).allDescriptions()
                    .get(30, TimeUnit.SECONDS);
            ReplicaInfo replica = dirs.get(leader).values().stream()
                    .map(d -> d.replicaInfos().get(new TopicPartition(topic, 0))).filter(r -> r != null).findFirst()
                    .orElse(null);
            assertNotNull(replica, "broker " + leader + " has a replica of " + topic + "-0");
            assertEquals(0, replica.offsetLag(), "no lag behind the leader");
            assertTrue(replica.size() > 0);
            // and the records read back are exactly the 200 sent (keys 0..199, each once)
            assertEquals(200, readAll(cluster, topic).size());

            // Internal topics replicated too: consumer offsets and transaction state.
            assertEquals(3, replicasOf(admin, "__consumer_offsets"));
            transactionalWrite(cluster, topic);
            assertEquals(3, replicasOf(admin, "__transaction_state"));
            assertEquals("2", topicConfig(admin, "__transaction_state", TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG));
        }
    }

    /**
     * The topics' descriptions once every node knows them: createTopics returns when the
     * controller has them, and the node the admin asks may learn of them a moment later
     * (UnknownTopicOrPartitionException, seen once in a CI run on 2 busy cores).
     */
    private static Map<String, TopicDescription> describeOnceKnown(Admin admin, List<String> topics)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                return admin.describeTopics(topics).allTopicNames().get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    private static String topicConfig(Admin admin, String topic, String key) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config c = admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
        return c.get(key).value();
    }

    private static int replicasOf(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                .partitions().get(0).replicas().size();
    }

    private static void send(KafkaCluster cluster, String topic, int from, int count) throws Exception {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            for (int i = from; i < from + count; i++) {
                producer.send(new ProducerRecord<>(topic, 0, Integer.toString(i), "v" + i)).get(60, TimeUnit.SECONDS);
            }
        }
    }

    private static void transactionalWrite(KafkaCluster cluster, String topic) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "kafka-cluster-test");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, 0, "tx", "tx"));
            producer.commitTransaction();
        }
    }

    /** Partition 0 from the start, in a consumer group (which creates __consumer_offsets): keys once each. */
    private static Set<String> readAll(KafkaCluster cluster, String topic) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "kafka-cluster-test");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Set<String> keys = new HashSet<>();
        int records = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (records < 200 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.partition() == 0) {
                        keys.add(r.key());
                        records++;
                    }
                }
            }
            consumer.commitSync();
        }
        assertEquals(200, records, "records read from partition 0");
        for (int i = 0; i < 200; i++) {
            assertTrue(keys.contains(Integer.toString(i)), "key " + i);
        }
        return keys;
    }
}
