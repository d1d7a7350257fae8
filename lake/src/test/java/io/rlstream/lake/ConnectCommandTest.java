package io.rlstream.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.testkit.CommandConsole;
import io.rlstream.testkit.KafkaFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code rlstream connect} and {@code rlstream lake} as picocli commands: their own --help, unknown
 * flags as usage errors with a suggestion, and connect taking the services' flags (issue 20:
 * --config/--command-config FILE with Kafka client keys as Kafka's tools take them, and --set).
 */
class ConnectCommandTest {

    private final CommandConsole console = new CommandConsole();

    @Test
    void helpListsConnectsOwnFlagsAndTheClusterFlags() {
        assertEquals(0, console.run(ConnectCommand::run, "--help"));
        String help = console.out();
        assertTrue(help.startsWith("Usage: rlstream connect"), help);
        for (String flag : List.of("--command-config", "--config", "--bootstrap-server", "--registry-url", "--set",
                "--lake", "--topics", "--no-iceberg", "--no-jsonl", "--until-caught-up", "--max-wait", "--progress")) {
            assertTrue(help.contains(flag), "help lists " + flag);
        }
        assertFalse(help.contains("--warehouse"), "lake's flags are on lake's page");
    }

    @Test
    void anUnknownFlagIsAUsageErrorWithASuggestion() {
        assertEquals(2, console.run(ConnectCommand::run, "--lakes", "x"));
        String[] lines = console.err().split("\n");
        assertEquals("rlstream connect: unknown flag --lakes; did you mean --lake?", lines[0]);
        assertEquals("Run 'rlstream connect --help' for usage.", lines[1]);
    }

    @Test
    void lakeSubcommandsHaveTheirOwnHelpAndErrors(@TempDir Path dir) {
        assertEquals(0, console.run(LakeCommand::run, "head", "--help"));
        assertTrue(console.out().startsWith("Usage: rlstream lake head"), console.out());
        assertTrue(console.out().contains("--n=N") && console.out().contains("--warehouse"), console.out());
        console.reset();
        assertEquals(2, console.run(LakeCommand::run, "count", "rl.rollouts", "--lak", dir.toString()));
        assertTrue(console.err().contains("rlstream lake count: unknown flag --lak; did you mean --lake?"),
                console.err());
        assertTrue(console.err().contains("Run 'rlstream lake count --help' for usage."), console.err());
        console.reset();
        assertEquals(2, console.run(LakeCommand::run, "cont"));
        assertTrue(console.err().contains("did you mean count?"), console.err());
        console.reset();
        assertEquals(2, console.run(LakeCommand::run));
        assertTrue(console.err().contains("tables") && console.err().contains("head"), "lists its subcommands");
    }

    /**
     * A --command-config file's keys land where issue 20 says: rlstream's (bootstrap.servers,
     * registry.url, topic.prefix) as the run's, Kafka client keys unprefixed (and kafka.KEY) on
     * every client of the worker, its tasks and the Iceberg sink, the rest on the connectors; --set
     * wins over the file.
     */
    @Test
    void aCommandConfigFileReachesTheWorkerItsTasksAndTheSinks(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, """
                bootstrap.servers=kafka-1:9093
                registry.url=http://registry:8080/apis/registry/v2
                topic.prefix=exp1.
                security.protocol=SASL_SSL
                sasl.mechanism=PLAIN
                kafka.client.dns.lookup=use_all_dns_ips
                iceberg.catalog.type=rest
                errors.tolerance=all
                """);
        ConnectCommand command = new ConnectCommand();
        new CommandLine(command).parseArgs("--command-config", file.toString(), "--set", "errors.tolerance=none",
                "--lake", dir.toString());
        LakeConnectors lake = command.lakeConnectors(Map.of());

        assertEquals("kafka-1:9093", lake.bootstrapServers());
        assertEquals("http://registry:8080/apis/registry/v2", lake.registryUrl());
        assertEquals(List.of("exp1.rollouts", "exp1.rewards", "exp1.training-batches", "exp1.metrics"), lake.topics());
        Map<String, String> worker = lake.worker();
        for (String prefix : List.of("", "consumer.", "producer.", "admin.")) {
            assertEquals("SASL_SSL", worker.get(prefix + "security.protocol"), prefix + "security.protocol");
            assertEquals("PLAIN", worker.get(prefix + "sasl.mechanism"));
            assertEquals("use_all_dns_ips", worker.get(prefix + "client.dns.lookup"), "kafka. prefix stripped");
        }
        assertEquals("SASL_SSL", lake.iceberg().get("iceberg.kafka.security.protocol"));
        assertEquals("SASL_SSL", lake.clientProps().get("security.protocol"), "the command's own admin and consumer");
        assertEquals("kafka-1:9093", lake.clientProps().get("bootstrap.servers"));
        assertEquals("rest", lake.iceberg().get("iceberg.catalog.type"));
        assertEquals("none", lake.jsonl().get("errors.tolerance"), "--set wins over the file");
        assertFalse(lake.jsonl().containsKey("security.protocol"), "client keys are not connector settings");
        assertFalse(lake.jsonl().containsKey("topic.prefix"), "rlstream's keys are not connector settings");
    }

    /**
     * Against a real broker: the file alone says where Kafka is and which topics to sink (the
     * default 127.0.0.1:9092 has no broker here), and client keys given with --set reach the
     * command's clients: security.protocol=SSL against a plaintext listener cannot talk to it, so
     * the same run fails within the 4 s API timeout set beside it instead of catching up.
     */
    @Test
    void connectRunsOnTheClusterAndClientSettingsOfItsCommandConfig(@TempDir Path dir) throws Exception {
        try (KafkaFixture kafka = KafkaFixture.start()) {
            List<String> topics = List.of("p2.rollouts", "p2.rewards", "p2.training-batches", "p2.metrics");
            kafka.admin().createTopics(topics.stream().map(t -> new NewTopic(t, Optional.of(1), Optional.empty())).toList())
                    .all().get(30, TimeUnit.SECONDS);
            Path file = dir.resolve("client.properties");
            Files.writeString(file, "bootstrap.servers=" + kafka.bootstrapServers() + "\ntopic.prefix=p2.\n"
                    + "security.protocol=PLAINTEXT\n");
            List<String> args = List.of("--command-config", file.toString(), "--no-iceberg", "--until-caught-up",
                    "--max-wait", "60", "--lake", dir.resolve("lake").toString());

            assertEquals(0, console.run(ConnectCommand::run, args), console.out() + console.err());
            assertTrue(console.out().contains("sinking p2.metrics up to offsets [0:0]"), console.out());
            assertTrue(console.out().contains("caught up: p2.rollouts jsonl 0"), console.out());

            console.reset();
            long start = System.nanoTime();
            List<String> ssl = new java.util.ArrayList<>(args);
            ssl.addAll(List.of("--set", "security.protocol=SSL", "--set", "default.api.timeout.ms=4000", "--set",
                    "request.timeout.ms=2000"));
            assertEquals(1, console.run(ConnectCommand::run, ssl), console.out() + console.err());
            assertTrue(console.err().contains("rlstream connect failed"), console.err());
            assertTrue((System.nanoTime() - start) / 1e9 < 30, "failed within the --set timeouts, not the 30 s default");
        }
    }
}
