package io.rlstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.testkit.CommandConsole;
import org.junit.jupiter.api.Test;

/** {@code rlstream poison}: listed, its own help, usage errors before anything starts (exit 2). */
class PoisonCommandTest {

    private final CommandConsole console = new CommandConsole();

    private int run(String... args) {
        return console.run(Rlstream::run, args);
    }

    @Test
    void listedAndItsOwnHelp() {
        assertEquals(0, run("--help"));
        assertTrue(console.out().contains("  poison "), console.out());
        console.reset();
        assertEquals(0, run("poison", "--help"));
        String help = console.out();
        assertTrue(help.startsWith("Usage: rlstream poison [flags]"), help);
        assertTrue(help.contains("--bootstrap-server") && help.contains("--health") && help.contains("--checkpoint-dir")
                // the list wraps at the page's width
                && help.replaceAll("\\s+", "").contains("prompts,prompt-dispatch,rollouts,rewards,training-batches,"
                        + "checkpoints,feedback,prompt-stats,metrics"), help);
    }

    @Test
    void badFlagsAreUsageErrors() {
        assertEquals(2, run("poison", "--bootstrap-server", "localhost:9092"));
        assertTrue(console.err().contains("--bootstrap-server and --registry-url go together"), console.err());
        console.reset();
        assertEquals(2, run("poison", "--topics", "rl.prompts,rl.step-summary"));
        assertTrue(console.err().contains("--topics: 'rl.step-summary' is not an input topic; choose from prompts,"),
                console.err());
        console.reset();
        assertEquals(2, run("poison", "--health", "http://localhost:9401"));
        assertTrue(console.err().contains("are for a running cluster (--bootstrap-server)"), console.err());
        console.reset();
        assertEquals(2, run("poison", "--wait", "soon"));
        assertTrue(console.err().contains("--wait expects a whole number, got 'soon'"), console.err());
        console.reset();
        assertEquals(2, run("poison", "--minutes", "3"));
        assertTrue(console.err().contains("unknown flag --minutes") && console.err().contains("rlstream poison --help"),
                console.err());
    }
}
