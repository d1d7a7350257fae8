package io.rlstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.testkit.CommandConsole;
import io.rlstream.config.CommandExecution;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import org.junit.jupiter.api.Test;

/** {@code rlstream bench NAME}: the dispatch, and the help and usage errors every benchmark answers alike. */
class BenchmarksTest {

    private final CommandConsole console = new CommandConsole();

    private int run(String... args) {
        return console.run(Benchmarks::run, args);
    }

    @Test
    void anUnknownOrMissingBenchmarkIsAUsageError() {
        assertEquals(2, run());
        assertTrue(console.err().contains("processors, trainer, selectors, async, model, objectives or generator"));
        console.reset();
        assertEquals(2, run("proccesors"));
        assertTrue(console.err().startsWith("rlstream bench: 'proccesors' is not one of its subcommands: "), console.err());
        assertTrue(console.err().contains("did you mean processors"), console.err());
    }

    /** Each benchmark's --help is its own page: its flags, not another benchmark's. */
    @Test
    void everyBenchmarkHasItsOwnHelpPage() {
        Map<String, String> ownFlag = Map.of("processors", "--paced", "trainer", "--threads=T[,T...]",
                "selectors", "--selectors=A,B,...", "async", "--etas=E,E,...", "model", "--gen-runs=K",
                "objectives", "--seed-list=S,S,...", "generator", "--syncs=S");
        ownFlag.forEach((name, flag) -> {
            console.reset();
            assertEquals(0, run(name, "--help"), name);
            assertTrue(console.out().startsWith("Usage: rlstream bench " + name + " "), console.out());
            assertTrue(console.out().contains(flag), name + " lists " + flag);
            ownFlag.forEach((other, otherFlag) -> assertTrue(other.equals(name) || !console.out().contains(otherFlag),
                    name + "'s help lists " + other + "'s " + otherFlag));
            console.reset();
            assertEquals(2, run(name, "--no-such-flag"), name);
            assertTrue(console.err().contains("unknown flag --no-such-flag"), console.err());
            assertTrue(console.err().contains("Run 'rlstream bench " + name + " --help' for usage."), console.err());
        });
    }

    /** rlstream poison: the cluster flags of every service (ServiceOptions), its own, and usage errors. */
    @Test
    void poisonHasTheClusterFlagsAndItsOwn() {
        assertEquals(0, console.run(PoisonCommand::run, "--help"));
        for (String flag : List.of("--command-config", "--config", "--bootstrap-server", "--registry-url", "--set",
                "--topic-prefix", "--health", "--checkpoint-dir", "--topics", "--wait", "--run-dir")) {
            assertTrue(console.out().contains(flag), "poison --help lists " + flag);
        }
        assertTrue(console.out().contains("training-batches"), "--topics names the input topics: " + console.out());
        console.reset();
        assertEquals(2, console.run(PoisonCommand::run, "--topic", "rewards"));
        assertTrue(console.err().contains("unknown flag --topic; did you mean --topics?"), console.err());
        console.reset();
        assertEquals(2, console.run(PoisonCommand::run, "--bootstrap-server", "localhost:9092"));
        assertTrue(console.err().contains("--bootstrap-server and --registry-url go together"), console.err());
        console.reset();
        assertEquals(2, console.run(PoisonCommand::run, "--health", "http://h:9404"));
        assertTrue(console.err().contains("are for a running cluster"), console.err());
    }

    /** poison's cluster from a --command-config file: bootstrap, registry, prefix, and client keys for its clients. */
    @Test
    void poisonTakesItsClusterFromACommandConfigFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "bootstrap.servers=k:9093\nregistry.url=http://r/apis/registry/v2\ntopic.prefix=exp.\n"
                + "security.protocol=SASL_SSL\nkafka.sasl.mechanism=PLAIN\n");
        PoisonCommand poison = new PoisonCommand();
        CommandExecution.commandLine(poison, "rlstream poison").parseArgs("--command-config", file.toString(), "--set", "sasl.mechanism=SCRAM-SHA-512");
        PoisonCommand.Cluster cluster = poison.cluster(Map.of());
        assertEquals("k:9093", cluster.bootstrap());
        assertEquals("http://r/apis/registry/v2", cluster.registryUrl());
        assertEquals("exp.", cluster.topicPrefix());
        assertEquals(Map.of("bootstrap.servers", "k:9093", "security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512"),
                cluster.client(), "client keys as is, kafka. stripped, --set wins over the file");
    }

    @Test
    void everyBenchmarkAnswersHelpWithItsUsage() {
        for (String name : List.of("processors", "trainer", "selectors", "async", "model", "objectives", "generator")) {
            console.reset();
            assertEquals(0, run(name, "--help"), name);
            assertTrue(console.out().contains("rlstream bench " + name), name + " usage");
        }
        console.reset();
        assertEquals(0, run("async", "--simulate", "--help"), "--help wins over --simulate");
    }

    /** bench generator checks its flags before it starts anything. */
    @Test
    void generatorFlagsAreCheckedBeforeAnythingStarts() {
        assertEquals(2, run("generator", "--requests", "0"));
        assertTrue(console.err().contains("must be >= 1"), console.err());
        console.reset();
        assertEquals(2, run("generator", "--concurency", "4"));
        assertTrue(console.err().startsWith("rlstream bench generator: unknown flag --concurency"), console.err());
        assertTrue(console.err().contains("did you mean --concurrency?"), console.err());
        assertTrue(console.err().contains("Run 'rlstream bench generator --help' for usage."), console.err());
        console.reset();
        assertEquals(2, run("generator", "--model", "/nonexistent/folder"));
        assertTrue(console.err().contains("is not a folder"), console.err());
    }

    @Test
    void aBadFlagNamesTheBenchmarkAndPointsAtHelp() {
        assertEquals(2, run("selectors", "--minutes", "soon"));
        String e = console.err();
        assertTrue(e.startsWith("rlstream bench selectors: --minutes needs a number, got 'soon'"), e);
        assertTrue(e.contains("Run 'rlstream bench selectors --help' for usage."), e);
    }

    @Test
    void flagsTakeBothFormsAndTheLastRepeatWins() {
        assertEquals(java.util.Map.of("tokens", "50", "rollouts", "9"),
                BenchCommand.flags(List.of("--rollouts", "8", "--tokens=50", "--rollouts", "9"), List.of("rollouts", "tokens")));
        // the same through picocli: both forms matched, the repeat kept, so the last wins in the settings
        CommandLine line = CommandExecution.commandLine(new ProcessorsBenchmark(), "rlstream bench processors");
        line.parseArgs("--rollouts", "8", "--tokens=50", "--rollouts", "9");
        List<String> matched = BenchCommand.matchedArgs(line.getCommandSpec());
        assertEquals(List.of("--rollouts", "8", "--rollouts", "9", "--tokens", "50"), matched);
        assertEquals(256, ProcessorsBenchmark.parse(List.of("--rollouts", "128", "--rollouts", "256")).rollouts());
    }
}
