package io.rlstream.ops.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.config.AccessRefused;
import io.rlstream.config.ServiceConfig;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.SecureKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ACL set on a broker that authenticates (SASL/SCRAM-SHA-512) and authorizes
 * (StandardAuthorizer, nothing allowed without an ACL): {@code rlstream acls --apply} creates
 * them as the super user, each service principal does its job with real clients configured the
 * way the services configure theirs (ServiceConfig.clientProps from {@code kafka.}-prefixed
 * settings), and steps outside its job are refused with one clear line.
 */
class LeastPrivilegeAclsTest {

    static final TopicCatalog CATALOG = TopicCatalog.defaults();
    static SecureKafka kafka;
    static String applyOutput;

    @BeforeAll
    static void up(@TempDir Path dir) throws Exception {
        kafka = SecureKafka.start();
        kafka.createTopics(CATALOG);
        kafka.addUser("rlstream-worker", "worker-secret");
        kafka.addUser("rlstream-trainer", "trainer-secret");
        kafka.addUser("rlstream-rewards", "rewards-secret");
        // The admin's client.properties, unprefixed as kafka-acls.sh's --command-config file has them.
        Path admin = dir.resolve("admin.properties");
        Files.writeString(admin, kafka.clientSettings(SecureKafka.ADMIN, SecureKafka.ADMIN_PASSWORD).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue().replace("\\", "\\\\")).collect(Collectors.joining("\n")));
        Run first = acls("--apply", "--command-config", admin.toString());
        assertEquals(0, first.status, first.err);
        applyOutput = first.out;
        Run again = acls("--apply", "--command-config", admin.toString());
        assertEquals(0, again.status, again.err);
        int total = AclSet.defaults().bindings().size();
        assertTrue(again.out.contains("0 ACLs created, " + total + " already there"),
                "a second --apply creates nothing: " + again.out.lines().reduce((a, b) -> b).orElse(""));
    }

    @AfterAll
    static void down() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    record Run(int status, String out, String err) {
    }

    static Run acls(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = AclsCommand.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A service's Kafka client settings as the services build them: kafka.-prefixed keys through ServiceConfig. */
    static Map<String, Object> clientProps(String user, String password) {
        Map<String, String> settings = new HashMap<>();
        kafka.clientSettings(user, password).forEach((k, v) -> settings.put(
                k.equals(ServiceConfig.BOOTSTRAP_SERVERS) ? k : ServiceConfig.KAFKA_PASSTHROUGH_PREFIX + k, v));
        return new ServiceConfig(ServiceConfig.baseDef(), settings).clientProps();
    }

    static Map<String, Object> admin() {
        return new HashMap<>(kafka.clientSettings(SecureKafka.ADMIN, SecureKafka.ADMIN_PASSWORD));
    }

    static void produceAsAdmin(String topic, String key, String value) throws Exception {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(admin(), new StringSerializer(), new StringSerializer())) {
            p.send(new ProducerRecord<>(topic, 0, key, value)).get(30, TimeUnit.SECONDS);
        }
    }

    static List<ConsumerRecord<String, String>> readCommitted(Map<String, Object> props, String topic, int atLeast) {
        return readCommitted(props, topic, atLeast, 30);
    }

    static List<ConsumerRecord<String, String>> readCommitted(Map<String, Object> props, String topic, int atLeast,
            int seconds) {
        Map<String, Object> c = new HashMap<>(props);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        List<ConsumerRecord<String, String>> got = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (got.size() < atLeast && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(got::add);
            }
        }
        return got;
    }

    @Test
    void applyCreatesEveryAclOfTheSetAndPrintsEach() {
        // every binding of the set is printed once as created (the cluster had none before)
        for (AclBinding b : AclSet.defaults().bindings()) {
            assertTrue(applyOutput.contains("created  " + AclsCommand.line(b) + "\n"), "missing " + AclsCommand.line(b));
        }
        assertTrue(applyOutput.contains(AclSet.defaults().bindings().size() + " ACLs created, 0 already there"),
                applyOutput.lines().reduce((a, b) -> b).orElse(""));
    }

    @Test
    void workerConsumesDispatchesAndTransactionallyProducesRollouts() throws Exception {
        String dispatch = CATALOG.name(Topic.PROMPT_DISPATCH);
        String rollouts = CATALOG.name(Topic.ROLLOUTS);
        produceAsAdmin(dispatch, "g-1", "dispatch of g-1");
        Map<String, Object> worker = clientProps("rlstream-worker", "worker-secret");
        // The worker's consumer as RolloutWorker sets it up: its group (worker.group.id's default), read_committed.
        Map<String, Object> consumerProps = new HashMap<>(worker);
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "rlstream-rollout-workers");
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Its producer: transactional id rlstream-<worker.id>, worker.id's default worker-0.
        Map<String, Object> producerProps = new HashMap<>(worker);
        producerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "rlstream-worker-0");
        relayOneDispatch(consumerProps, producerProps, dispatch, rollouts);
        // the worker may also read the checkpoint announcements (CheckpointFollower: no group)
        produceAsAdmin(CATALOG.name(Topic.CHECKPOINTS), "demo", "checkpoint 1");
        assertEquals("checkpoint 1", readCommitted(worker, CATALOG.name(Topic.CHECKPOINTS), 1).get(0).value());
        List<ConsumerRecord<String, String>> written = readCommitted(admin(), rollouts, 1);
        assertEquals(List.of("rollout of g-1"), written.stream().filter(r -> r.key().equals("g-1"))
                .map(ConsumerRecord::value).toList());
    }

    /**
     * A Kafka Streams app with exactly-once v2 under the reward service's principal and application
     * id, set up by the same ExactlyOnceStreams properties the services use, with a repartition
     * topic and a changelog (so it creates internal topics, joins its group and commits
     * transactions): its output arrives, so the Streams part of the set (prefixed topics, group,
     * transactional ids) is enough.
     */
    @Test
    void aStreamsAppRunsExactlyOnceUnderItsApplicationId(@TempDir Path state) throws Exception {
        String rollouts = CATALOG.name(Topic.ROLLOUTS);
        String rewards = CATALOG.name(Topic.REWARDS);
        produceAsAdmin(rollouts, "g-7", "r1");
        produceAsAdmin(rollouts, "g-7", "r2");
        Map<String, String> settings = new HashMap<>();
        kafka.clientSettings("rlstream-rewards", "rewards-secret").forEach((k, v) -> settings.put(
                k.equals(ServiceConfig.BOOTSTRAP_SERVERS) ? k : ServiceConfig.KAFKA_PASSTHROUGH_PREFIX + k, v));
        ServiceConfig config = new ServiceConfig(ServiceConfig.baseDef(), settings);
        String applicationId = (String) AclSet.DEFINITION.defaultValues().get(AclSet.REWARD_APPLICATION_ID);
        java.util.Properties props = io.rlstream.config.ExactlyOnceStreams.properties(config, applicationId,
                state.toString(), 100);
        org.apache.kafka.streams.StreamsBuilder builder = new org.apache.kafka.streams.StreamsBuilder();
        org.apache.kafka.common.serialization.Serde<String> strings = org.apache.kafka.common.serialization.Serdes.String();
        builder.stream(rollouts, org.apache.kafka.streams.kstream.Consumed.with(strings, strings))
                .selectKey((k, v) -> "all-" + k) // a new key: a repartition topic
                .groupByKey(org.apache.kafka.streams.kstream.Grouped.with(strings, strings))
                .count() // a store: a changelog topic
                .toStream()
                .mapValues(String::valueOf)
                .to(rewards, org.apache.kafka.streams.kstream.Produced.with(strings, strings));
        try (org.apache.kafka.streams.KafkaStreams app = new org.apache.kafka.streams.KafkaStreams(builder.build(), props)) {
            java.util.concurrent.atomic.AtomicReference<Throwable> died = new java.util.concurrent.atomic.AtomicReference<>();
            app.setUncaughtExceptionHandler(e -> {
                died.set(e);
                return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
                        .SHUTDOWN_CLIENT;
            });
            app.start();
            // a Streams start (group, internal topics, transactions) takes a while on a busy machine
            List<ConsumerRecord<String, String>> out = readCommitted(admin(), rewards, 1, 120);
            assertEquals(null, died.get(), "the app died: " + died.get());
            assertTrue(out.stream().anyMatch(r -> r.key().equals("all-g-7")), out.toString());
        }
        Set<String> topics = kafka.admin().listTopics().names().get(30, TimeUnit.SECONDS);
        assertTrue(topics.stream().anyMatch(t -> t.startsWith(applicationId + "-") && t.endsWith("-repartition")), topics.toString());
        assertTrue(topics.stream().anyMatch(t -> t.startsWith(applicationId + "-") && t.endsWith("-changelog")), topics.toString());
    }

    @Test
    void trainerReadsBatchesAndPublishesCheckpoints() throws Exception {
        produceAsAdmin(CATALOG.name(Topic.TRAINING_BATCHES), "b-1", "batch 1");
        Map<String, Object> trainer = clientProps("rlstream-trainer", "trainer-secret");
        // TrainerService reads its input partition by assign (no group), read_committed
        assertEquals("batch 1", readCommitted(trainer, CATALOG.name(Topic.TRAINING_BATCHES), 1).get(0).value());
        Map<String, Object> producerProps = new HashMap<>(trainer);
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> p = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
            p.send(new ProducerRecord<>(CATALOG.name(Topic.CHECKPOINTS), "trained", "version 2")).get(30, TimeUnit.SECONDS);
        }
        assertTrue(readCommitted(admin(), CATALOG.name(Topic.CHECKPOINTS), 2).stream()
                .anyMatch(r -> r.value().equals("version 2")));
    }

    @Test
    void workerWritingTrainingBatchesIsRefusedWithOneLineNamingTopicAndPrincipal() {
        Map<String, Object> worker = clientProps("rlstream-worker", "worker-secret");
        try (KafkaProducer<String, String> p = new KafkaProducer<>(worker, new StringSerializer(), new StringSerializer())) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> p.send(
                    new ProducerRecord<>(CATALOG.name(Topic.TRAINING_BATCHES), "forged", "batch")).get(30, TimeUnit.SECONDS));
            AuthorizationException refused = AccessRefused.find(e).orElseThrow();
            assertTrue(refused instanceof TopicAuthorizationException, refused.toString());
            assertEquals("principal User:rlstream-worker may not use topic rl.training-batches"
                    + " (TopicAuthorizationException); grant it (rlstream acls prints every service's ACLs)"
                    + " or run the service as the principal that has it", AccessRefused.describe(refused, worker));
        }
    }

    @Test
    void workerGetsNoOtherTransactionalIdNorGroup() {
        Map<String, Object> worker = clientProps("rlstream-worker", "worker-secret");
        Map<String, Object> producerProps = new HashMap<>(worker);
        producerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "rlstream-processors-0_1");
        try (KafkaProducer<String, String> p = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
            TransactionalIdAuthorizationException e = assertThrows(TransactionalIdAuthorizationException.class,
                    p::initTransactions);
            assertTrue(AccessRefused.describe(e, producerProps).startsWith(
                    "principal User:rlstream-worker may not use transactional id rlstream-processors-0_1 "), e.toString());
        }
        Map<String, Object> consumerProps = new HashMap<>(worker);
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "rlstream-rewards");
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(consumerProps, new StringDeserializer(),
                new StringDeserializer())) {
            c.subscribe(List.of(CATALOG.name(Topic.PROMPT_DISPATCH)));
            GroupAuthorizationException e = assertThrows(GroupAuthorizationException.class,
                    () -> c.poll(Duration.ofSeconds(10)));
            assertTrue(AccessRefused.describe(e, consumerProps).startsWith(
                    "principal User:rlstream-worker may not use consumer group rlstream-rewards "), e.toString());
        }
        // and it cannot read what it does not need: the trainer's input
        Map<String, Object> reader = new LinkedHashMap<>(worker);
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(reader, new StringDeserializer(), new StringDeserializer())) {
            c.assign(List.of(new TopicPartition(CATALOG.name(Topic.TRAINING_BATCHES), 0)));
            c.seekToBeginning(c.assignment());
            assertThrows(TopicAuthorizationException.class, () -> c.poll(Duration.ofSeconds(10)));
        }
    }

    /**
     * What a worker does with a dispatch, with its own clients: consumes "dispatch of g-1" from
     * {@code dispatch} in its group and, in one transaction, writes "rollout of g-1" to
     * {@code rollouts} with the consumed offset (shared by the SASL and the mTLS test).
     */
    static void relayOneDispatch(Map<String, Object> consumerProps, Map<String, Object> producerProps, String dispatch,
            String rollouts) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(),
                        new StringDeserializer());
                KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps, new StringSerializer(),
                        new StringSerializer())) {
            producer.initTransactions();
            consumer.subscribe(List.of(dispatch));
            List<ConsumerRecord<String, String>> got = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (got.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(got::add);
            }
            assertEquals("dispatch of g-1", got.get(0).value());
            ConsumerRecord<String, String> r = got.get(0);
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(rollouts, r.key(), "rollout of " + r.key()));
            producer.sendOffsetsToTransaction(Map.of(new TopicPartition(r.topic(), r.partition()),
                    new OffsetAndMetadata(r.offset() + 1)), consumer.groupMetadata());
            producer.commitTransaction();
        }
    }
}
