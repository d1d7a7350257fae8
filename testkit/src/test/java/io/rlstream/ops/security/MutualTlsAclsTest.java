package io.rlstream.ops.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.config.AccessRefused;
import io.rlstream.config.ServiceConfig;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.MutualTlsKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ACL set on a broker that authenticates clients by certificate (mTLS, testkit's
 * {@link MutualTlsKafka}: {@code ssl.client.auth=required}, the CN mapped to the user name) and
 * authorizes with the StandardAuthorizer: {@code rlstream acls --apply} creates the ACLs as the
 * super user, and the worker, configured with exactly the mTLS client settings of
 * docs/operations.md ("Secure clusters"), does its job and is refused rl.training-batches.
 */
class MutualTlsAclsTest {

    static final TopicCatalog CATALOG = TopicCatalog.defaults();
    static final String WORKER = "rlstream-worker";
    static MutualTlsKafka kafka;

    @BeforeAll
    static void up(@TempDir Path dir) throws Exception {
        kafka = MutualTlsKafka.start(dir, List.of(WORKER));
        kafka.createTopics(CATALOG);
        Path admin = dir.resolve("admin.properties");
        Files.writeString(admin, kafka.clientSettings(MutualTlsKafka.ADMIN).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue().replace("\\", "\\\\")).collect(Collectors.joining("\n")));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = AclsCommand.run(List.of("--apply", "--command-config", admin.toString()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains(
                AclSet.defaults().bindings().size() + " ACLs created, 0 already there"), out.toString(StandardCharsets.UTF_8));
    }

    @AfterAll
    static void down() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** The mTLS example of docs/operations.md: its {@code kafka.}-prefixed lines, in order. */
    static Map<String, String> documentedExample() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "operations.md"));
        int mtls = doc.indexOf("kafka.security.protocol=SSL\n");
        assertTrue(mtls > 0, "docs/operations.md has no mTLS example (a block with kafka.security.protocol=SSL)");
        int start = doc.lastIndexOf("```", mtls);
        int end = doc.indexOf("```", mtls);
        Map<String, String> example = new LinkedHashMap<>();
        for (String line : doc.substring(start + 3, end).strip().split("\n")) {
            int eq = line.indexOf('=');
            example.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return example;
    }

    /**
     * The worker's client settings as a service builds them (ServiceConfig.clientProps): the
     * documented example's lines, with this test's files and passwords in place of its
     * {@code /etc/rlstream/...} and {@code ...}.
     */
    static Map<String, Object> workerProps() throws Exception {
        Map<String, String> generated = kafka.clientSettings(WORKER);
        Map<String, String> settings = new HashMap<>();
        settings.put(ServiceConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        documentedExample().forEach((key, value) -> {
            String clientKey = key.substring(ServiceConfig.KAFKA_PASSTHROUGH_PREFIX.length());
            boolean placeholder = value.startsWith("/etc/rlstream/") || value.equals("...");
            settings.put(key, placeholder ? generated.get(clientKey) : value);
        });
        return new ServiceConfig(ServiceConfig.baseDef(), settings).clientProps();
    }

    @Test
    void theDocumentedExampleIsExactlyWhatAClientNeeds() throws Exception {
        Map<String, String> example = documentedExample();
        // every key of the example carries the passthrough prefix, and together they are the fixture's
        // client settings (bootstrap.servers aside): no key missing, none extra
        assertTrue(example.keySet().stream().allMatch(k -> k.startsWith(ServiceConfig.KAFKA_PASSTHROUGH_PREFIX)), example.toString());
        List<String> needed = new ArrayList<>(kafka.clientSettings(WORKER).keySet());
        needed.remove(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        assertEquals(needed, example.keySet().stream()
                .map(k -> k.substring(ServiceConfig.KAFKA_PASSTHROUGH_PREFIX.length())).toList());
        assertEquals("SSL", example.get("kafka.security.protocol"));
    }

    @Test
    void workerConsumesDispatchesAndTransactionallyProducesRollouts() throws Exception {
        String dispatch = CATALOG.name(Topic.PROMPT_DISPATCH);
        String rollouts = CATALOG.name(Topic.ROLLOUTS);
        Map<String, Object> admin = new HashMap<>(kafka.clientSettings(MutualTlsKafka.ADMIN));
        try (KafkaProducer<String, String> p = new KafkaProducer<>(admin, new StringSerializer(), new StringSerializer())) {
            p.send(new ProducerRecord<>(dispatch, 0, "g-1", "dispatch of g-1")).get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> worker = workerProps();
        // RolloutWorker's consumer (group worker.group.id's default, read_committed) and its
        // transactional producer (rlstream-<worker.id>, worker.id's default worker-0), as in
        // LeastPrivilegeAclsTest; the names come from the ACL set's definition, which a test in
        // the producers module keeps equal to the worker's own settings
        Map<String, Object> consumerProps = new HashMap<>(worker);
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, AclSet.DEFINITION.defaultValues().get(AclSet.WORKER_GROUP_ID));
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, Object> producerProps = new HashMap<>(worker);
        producerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, AclSet.WORKER_TRANSACTIONAL_ID_PREFIX
                + AclSet.DEFINITION.defaultValues().get(AclSet.WORKER_ID_PREFIX) + "0");
        LeastPrivilegeAclsTest.relayOneDispatch(consumerProps, producerProps, dispatch, rollouts);
        // the rollout is committed (read_committed, as the super user) and so is the group's offset
        List<String> written = LeastPrivilegeAclsTest.readCommitted(admin, rollouts, 1).stream()
                .filter(r -> r.key().equals("g-1")).map(ConsumerRecord::value).toList();
        assertEquals(List.of("rollout of g-1"), written);
        try (Admin a = Admin.create(admin)) {
            Map<TopicPartition, OffsetAndMetadata> offsets = a.listConsumerGroupOffsets(
                    (String) consumerProps.get(ConsumerConfig.GROUP_ID_CONFIG)).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            assertEquals(1L, offsets.get(new TopicPartition(dispatch, 0)).offset());
        }
    }

    @Test
    void workerWritingTrainingBatchesIsRefusedWithOneLineNamingTopicAndCertificate() throws Exception {
        Map<String, Object> worker = workerProps();
        try (KafkaProducer<String, String> p = new KafkaProducer<>(worker, new StringSerializer(), new StringSerializer())) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> p.send(
                    new ProducerRecord<>(CATALOG.name(Topic.TRAINING_BATCHES), "forged", "batch")).get(30, TimeUnit.SECONDS));
            AuthorizationException refused = AccessRefused.find(e).orElseThrow();
            assertTrue(refused instanceof TopicAuthorizationException, refused.toString());
            assertEquals("principal of certificate CN=rlstream-worker may not use topic rl.training-batches"
                    + " (TopicAuthorizationException); grant it (rlstream acls prints every service's ACLs)"
                    + " or run the service as the principal that has it", AccessRefused.describe(refused, worker));
        }
    }

    @Test
    void aClientWithoutACertificateIsNotLetIn() {
        // ssl.client.auth=required: trusting the broker is not enough, the TLS handshake wants a client certificate
        Map<String, Object> anonymous = new HashMap<>(kafka.clientSettings(WORKER));
        anonymous.remove(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG);
        anonymous.remove(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG);
        anonymous.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        anonymous.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        try (Admin a = Admin.create(anonymous)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> a.describeCluster().clusterId().get(20, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof SslAuthenticationException, e.getCause().toString());
        }
    }
}
