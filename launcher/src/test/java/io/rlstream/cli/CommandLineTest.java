package io.rlstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.config.ServiceConfig;
import io.rlstream.producers.rollouts.WorkerConfig;
import io.rlstream.testkit.CommandConsole;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Issue 20, "one command-line library for every command": rlstream's commands on picocli. Each
 * command's --help is its own page with its own flags (and, for a service, where its settings are
 * listed), a misspelt flag or command is exit 2 with the closest match, --set and --command-config
 * reach the settings, and the generated completion script completes commands and flags in a real
 * bash.
 */
class CommandLineTest {

    private final CommandConsole console = new CommandConsole();

    private int run(String... args) {
        return console.run(Rlstream::run, args);
    }

    /** The grouped overview's first section heading: a command's page must not be the overview. */
    private static final String OVERVIEW = "Run the whole RL loop locally:";

    /** Each command's own flags, written out here by hand from the issue and the old usage text. */
    private static final Map<String, List<String>> OWN_FLAGS = Map.ofEntries(
            Map.entry("demo", List.of("--minutes=M", "--target=A", "--run-dir=DIR", "--seed=S", "--selector=NAME",
                    "--set=KEY=VALUE", "--dashboard-port=P", "--model=DIR", "--generator=G")),
            Map.entry("rewards", List.of("--config, --command-config=FILE", "--bootstrap-server=HOST:PORT",
                    "--registry-url=URL", "--set=KEY=VALUE")),
            Map.entry("worker", List.of("--command-config=FILE", "--bootstrap-server=HOST:PORT", "--model=DIR")),
            Map.entry("processors", List.of("--command-config=FILE", "--bootstrap-server=HOST:PORT", "--set=KEY=VALUE")),
            Map.entry("dispatcher", List.of("--command-config=FILE", "--bootstrap-server=HOST:PORT", "--set=KEY=VALUE")),
            Map.entry("trainer", List.of("--command-config=FILE", "--bootstrap-server=HOST:PORT", "--model=DIR")),
            Map.entry("platform", List.of("--run-dir=DIR")),
            Map.entry("dashboard", List.of("--port=P", "--host=H", "--bootstrap-server=HOST:PORT")),
            Map.entry("config", List.of("SERVICE")),
            Map.entry("replay", List.of("--application-id=ID", "--output-prefix=P", "--idle-seconds=S",
                    "--bootstrap-server=HOST:PORT")),
            Map.entry("chaos", List.of("--minutes=M", "--kill-every=S", "--services=LIST")),
            Map.entry("algorithms", List.of("--markdown", "FAMILY-OR-SETTING")),
            Map.entry("docs", List.of("--write", "--root=DIR")),
            Map.entry("serve", List.of("--model=DIR", "--port=P", "--max-batch-rows=R")),
            Map.entry("metrics tail", List.of("--filter=PATTERN", "--last=N", "--follow", "--json",
                    "--bootstrap-server=HOST:PORT")),
            Map.entry("metrics steps", List.of("--columns=A,B,...", "--last=N", "--follow")),
            Map.entry("model init", List.of("--arch=A", "--layers=L", "--tokenizer=PATH", "--tie-embeddings")),
            Map.entry("model generate", List.of("--model=DIR", "--prompt=TEXT", "--chat-format=F", "--top-p=P")),
            Map.entry("completion", List.of("--help")));

    @Test
    void eachCommandsHelpIsItsOwnPageWithItsOwnFlags() {
        OWN_FLAGS.forEach((command, flags) -> {
            console.reset();
            String[] args = (command + " --help").split(" ");
            assertEquals(0, run(args), command);
            String page = console.out();
            assertTrue(page.startsWith("Usage: rlstream " + command + " "), page);
            assertFalse(page.contains(OVERVIEW), "not the overview: " + page);
            flags.forEach(flag -> assertTrue(page.contains(flag), command + " --help lists " + flag + ":\n" + page));
        });
        // the demo's flags are its own: a service's page does not list them, and the reverse
        console.reset();
        run("rewards", "--help");
        assertFalse(console.out().contains("--minutes") || console.out().contains("--model"), console.out());
        console.reset();
        run("demo", "--help");
        assertFalse(console.out().contains("--bootstrap-server"), console.out());
    }

    /** rlstream help COMMAND [SUBCOMMAND] is COMMAND [SUBCOMMAND] --help; rlstream help alone is the overview. */
    @Test
    void helpCommandShowsACommandsPage() {
        assertEquals(0, run("worker", "--help"));
        String page = console.out();
        console.reset();
        assertEquals(0, run("help", "worker"));
        assertEquals(page, console.out());
        console.reset();
        assertEquals(0, run("help", "model", "init"));
        assertTrue(console.out().startsWith("Usage: rlstream model init "), console.out());
        console.reset();
        assertEquals(0, run("help"));
        assertTrue(console.out().contains(OVERVIEW), console.out());
    }

    @Test
    void aServicesHelpPointsToItsSettings() {
        for (String service : List.of("rewards", "worker", "processors", "dispatcher", "trainer")) {
            console.reset();
            assertEquals(0, run(service, "-h"));
            assertTrue(console.out().contains("Settings: rlstream config " + service), console.out());
            // the pointer works: that command prints the service's table
            console.reset();
            assertEquals(0, run("config", service));
            assertTrue(console.out().contains("| `bootstrap.servers` |"), service);
        }
    }

    @Test
    void unknownFlagsAndCommandsAreUsageErrorsWithTheClosestMatch() {
        assertEquals(2, run("worker", "--bootstrap-servers", "127.0.0.1:9092"));
        assertTrue(console.err().contains("rlstream worker: unknown flag --bootstrap-servers; did you mean --bootstrap-server?"),
                console.err());
        assertTrue(console.err().contains("Run 'rlstream worker --help' for usage."), console.err());
        console.reset();
        assertEquals(2, run("metrics", "tail", "--folow"));
        assertTrue(console.err().contains("rlstream metrics tail: unknown flag --folow; did you mean --follow?"),
                console.err());
        console.reset();
        assertEquals(2, run("model", "init", "--layer=2"));
        assertTrue(console.err().contains("unknown flag --layer; did you mean --layers?"), console.err());
        console.reset();
        assertEquals(2, run("dashbaord"));
        assertTrue(console.err().contains("rlstream: unknown command 'dashbaord'; did you mean dashboard"), console.err());
        console.reset();
        // picocli alone suggested "reward or metrics or dashboard" here; edit distance finds the trainer
        assertEquals(2, run("tarin"));
        assertTrue(console.err().contains("rlstream: unknown command 'tarin'; did you mean trainer?"), console.err());
        console.reset();
        assertEquals(2, run("metrics", "head"));
        assertTrue(console.err().contains("'head' is not one of its subcommands: tail, steps and catalog"), console.err());
        console.reset();
        // a value picocli cannot convert is a usage error too, not a stack trace
        assertEquals(2, run("dashboard", "--port", "http"));
        assertTrue(console.err().contains("--port") && console.err().contains("'http'"), console.err());
        assertFalse(console.err().contains("Exception"), console.err());
    }

    /**
     * --set KEY=VALUE reaches a service's settings as given (a value may hold '='), --set=K=V too,
     * and the flags win over the --command-config file, which wins over the defaults: the order
     * ServiceOptions documents.
     */
    @Test
    void setAndCommandConfigReachTheServiceSettings(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "bootstrap.servers=file:9092\nnope=from-file\nworker.model=/from/file\n");
        CommandLine line = Rlstream.commandLine(new Terminal(System.in, System.out, System.err));
        CommandLine.ParseResult parsed = line.parseArgs("worker", "--command-config", file.toString(), "--set", "nope=1",
                "--set", "sasl.jaas.config=a=b c=d", "--set=x.y=z", "--bootstrap-server", "flag:9092");
        ServiceCommands.Worker worker = (ServiceCommands.Worker) parsed.subcommand().commandSpec().userObject();
        Map<String, String> settings = worker.cluster.settings(WorkerConfig.DEFINITION, Map.of());
        assertEquals("1", settings.get("nope"));
        assertEquals("a=b c=d", settings.get("sasl.jaas.config"));
        assertEquals("z", settings.get("x.y"));
        assertEquals("flag:9092", settings.get(ServiceConfig.BOOTSTRAP_SERVERS), "the flag wins over the file");
        assertEquals("/from/file", settings.get(WorkerConfig.MODEL), "the file's key, no flag over it");
        assertEquals(null, worker.model, "no --model given");
    }

    /** An invalid value given with --set stops a service before anything connects: exit 2, the key named. */
    @Test
    void anInvalidSetValueIsAUsageError() {
        assertEquals(2, run("worker", "--set", "worker.seed=zero", "--bootstrap-server", "127.0.0.1:9"));
        assertTrue(console.err().contains("rlstream worker: invalid configuration:"), console.err());
        assertTrue(console.err().contains("worker.seed"), console.err());
        assertTrue(console.err().contains("Run 'rlstream config worker' for the settings"), console.err());
    }

    /**
     * rlstream completion prints a bash script; a real bash that sources it completes "wor" to
     * worker, a service's "--boot" to --bootstrap-server and config's argument to the services.
     */
    @Test
    void completionScriptCompletesCommandsAndFlagsInBash(@TempDir Path dir) throws Exception {
        assertEquals(0, run("completion"));
        String script = console.out();
        for (String command : List.of("demo", "rewards", "worker", "processors", "dispatcher", "trainer", "prompts",
                "platform", "dashboard", "config", "replay", "algorithms", "docs", "model", "metrics", "serve", "chaos",
                "connect", "poison", "advantages", "pf-ppo", "reward", "lake", "checkpoints", "bench")) {
            assertTrue(script.contains(" " + command + " ") || script.contains(" " + command + "\"")
                    || script.contains("\"" + command + " "), "the script names " + command);
        }
        Path file = dir.resolve("rlstream-completion.bash");
        Files.writeString(file, script);
        assertEquals("worker", complete(file, "rlstream", "wor"));
        assertEquals("--bootstrap-server", complete(file, "rlstream", "worker", "--boot"));
        assertEquals("rewards worker processors dispatcher trainer", complete(file, "rlstream", "config", ""));
        assertEquals("tail steps catalog", complete(file, "rlstream", "metrics", ""));
    }

    /** What bash's completion offers for the last word, with the script sourced (a bash process). */
    private static String complete(Path script, String... words) throws Exception {
        String line = String.join(" ", words);
        StringBuilder array = new StringBuilder();
        for (String w : words) {
            array.append('"').append(w).append("\" ");
        }
        String program = "source '" + script + "' 2>/dev/null; COMP_WORDS=(" + array + "); COMP_CWORD=" + (words.length - 1)
                + "; COMP_LINE='" + line + "'; COMP_POINT=${#COMP_LINE}; _complete_rlstream 2>/dev/null;"
                + " echo \"${COMPREPLY[*]}\"";
        Process bash = new ProcessBuilder("bash", "-c", program).redirectErrorStream(false).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        bash.getInputStream().transferTo(out);
        assertTrue(bash.waitFor(30, TimeUnit.SECONDS));
        return out.toString(StandardCharsets.UTF_8).strip();
    }
}
