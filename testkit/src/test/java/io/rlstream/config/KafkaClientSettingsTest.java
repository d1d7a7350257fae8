package io.rlstream.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.testkit.KafkaFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Issue 20's Kafka-native configuration against a real broker: a {@code --command-config
 * client.properties} written as for Kafka's own tools (no {@code kafka.} prefix) reaches the
 * Kafka clients a service makes from {@link ServiceConfig#clientProps()}, secrets included, from
 * a file provider or the environment. (Here and not in schemas because the broker kit lives in
 * testkit, which depends on schemas.)
 */
class KafkaClientSettingsTest {

    static KafkaFixture kafka;

    @Command(name = "probe")
    static final class Probe {
        @Mixin
        ServiceOptions cluster;
    }

    @BeforeAll
    static void up() {
        kafka = KafkaFixture.start();
    }

    @AfterAll
    static void down() {
        kafka.close();
    }

    /** The settings a command with these flags and this environment gives a service with the shared keys. */
    static ServiceConfig config(Map<String, String> env, String... args) {
        Probe probe = new Probe();
        new CommandLine(probe).parseArgs(args);
        return new ServiceConfig(ServiceConfig.baseDef(), probe.cluster.settings(ServiceConfig.baseDef(), env));
    }

    @Test
    void anUnprefixedClientIdFromASecretsFileIsWhatTheBrokerSees(@TempDir Path dir) throws Exception {
        Path secrets = dir.resolve("secrets.properties");
        Files.writeString(secrets, "id=probe-from-secrets-file\n");
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "bootstrap.servers=" + kafka.bootstrapServers() + "\n"
                + "client.id=${file:" + secrets + ":id}\n");
        ServiceConfig config = config(Map.of(), "--command-config", file.toString());
        String group = "probe-group-" + System.nanoTime();
        kafka.admin().createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(group, 1, (short) 1)))
                .all().get(30, TimeUnit.SECONDS);
        Map<String, Object> props = new HashMap<>(config.clientProps());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(group));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (consumer.assignment().isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200));
            }
            // The broker's group coordinator reports each member's client.id: the value the file provider read.
            List<String> clientIds = kafka.admin().describeConsumerGroups(List.of(group)).all()
                    .get(30, TimeUnit.SECONDS).get(group).members().stream().map(MemberDescription::clientId).toList();
            assertEquals(List.of("probe-from-secrets-file"), clientIds);
        }
    }

    @Test
    void anUnprefixedSecurityProtocolIsUsedAndFailsAgainstThePlaintextBroker(@TempDir Path dir) throws Exception {
        // The broker listens in PLAINTEXT. security.protocol and sasl.mechanism come unprefixed from the
        // file, the JAAS line from RLSTREAM_SASL_JAAS_CONFIG (without it the SASL client would not even
        // be created). Ignored, as before issue 20, they would let describeCluster succeed; used, the
        // client speaks SASL to a listener that does not, and the broker refuses the handshake.
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "bootstrap.servers=" + kafka.bootstrapServers() + "\n"
                + "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n"
                + "default.api.timeout.ms=4000\nrequest.timeout.ms=2000\n");
        Map<String, String> env = Map.of("RLSTREAM_SASL_JAAS_CONFIG",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";");
        ServiceConfig sasl = config(env, "--command-config", file.toString());
        try (Admin admin = Admin.create(new HashMap<>(sasl.clientProps()))) {
            var failure = assertThrows(ExecutionException.class,
                    () -> admin.describeCluster().clusterId().get(20, TimeUnit.SECONDS));
            // The broker's answer to a SASL handshake on a listener without SASL, naming the mechanism the
            // file chose: proof that security.protocol and sasl.mechanism reached the client.
            assertTrue(failure.getCause() instanceof org.apache.kafka.common.errors.IllegalSaslStateException,
                    failure.toString());
            assertTrue(failure.getCause().getMessage().contains("client mechanism PLAIN"), failure.toString());
        }
        // The same file without the SASL lines reaches the cluster: the failure above is theirs.
        Files.writeString(file, "bootstrap.servers=" + kafka.bootstrapServers() + "\n");
        try (Admin admin = Admin.create(new HashMap<>(config(Map.of(), "--config", file.toString()).clientProps()))) {
            assertEquals(kafka.admin().describeCluster().clusterId().get(30, TimeUnit.SECONDS),
                    admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS));
        }
    }
}
