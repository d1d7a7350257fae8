package io.rlstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.model.task.AdditionTask;
import io.rlstream.testkit.CommandConsole;
import org.junit.jupiter.api.Test;

/** {@code rlstream chaos}'s flags: help, and usage errors (exit 2) before anything starts. */
class ChaosCommandTest {

    private final CommandConsole console = new CommandConsole();

    private int run(String... args) {
        return console.run(Rlstream::run, args);
    }

    @Test
    void helpDescribesEveryFlagAndTheExitStatus() {
        assertEquals(0, run("chaos", "--help"));
        String help = console.out();
        for (String flag : new String[] {"--minutes=M", "--kill-every=S", "--seed=N", "--services=LIST", "--run-dir=DIR",
                "--set=KEY=VALUE", "Exit status"}) {
            assertTrue(help.contains(flag), flag + " in " + help);
        }
        console.reset();
        assertEquals(0, run("--help"));
        assertTrue(console.out().contains("  chaos "), "the main usage lists chaos");
    }

    @Test
    void badFlagsAreUsageErrors() {
        assertEquals(2, run("chaos", "--minutes", "0"));
        assertTrue(console.err().contains("--minutes expects a positive number, got 0.0"), console.err());
        console.reset();
        assertEquals(2, run("chaos", "--kill-every", "0.5"));
        assertTrue(console.err().contains("--kill-every expects seconds, at least 1, got 0.5"), console.err());
        console.reset();
        assertEquals(2, run("chaos", "--services", "worker,gateway"));
        assertTrue(console.err().contains("--services: unknown service 'gateway'; known: trainer, rewards, processors,"
                + " worker, dispatcher, broker"), console.err());
        console.reset();
        // a broker may only be killed where the others keep every partition in sync
        assertEquals(2, run("chaos", "--services", "worker,broker"));
        assertTrue(console.err().contains("--services broker needs --brokers 3 or more"), console.err());
        console.reset();
        // one trainer owns the policy: it cannot have instances; a rebalance needs a scalable service
        assertEquals(2, run("chaos", "--instances", "worker=2,trainer=2"));
        assertTrue(console.err().contains("trainer instances must be"), console.err());
        console.reset();
        assertEquals(2, run("chaos", "--rebalance", "dispatcher"));
        assertTrue(console.err().contains("can be rebalanced, got 'dispatcher'"), console.err());
        console.reset();
        assertEquals(2, run("chaos", "--scale-workers", "two"));
        assertTrue(console.err().contains("--scale-workers"), console.err());
        console.reset();
        assertEquals(2, run("chaos", "--kills", "3"));
        assertTrue(console.err().contains("unknown flag --kills"), console.err());
        console.reset();
        assertEquals(2, run("chaos", "now"));
        assertTrue(console.err().contains("unexpected argument 'now'"), console.err());
    }

    @Test
    void thePromptsAreTheDemosAdditionProblemsWithTheirAnswers() {
        var prompts = ChaosCommand.prompts();
        assertEquals(AdditionTask.standard().train().size(), prompts.size());
        // every answer is the sum of the two operands in the text, computed here independently
        prompts.forEach(p -> {
            String[] operands = p.getText().toString().replace("=", "").split("\\+");
            assertEquals(Integer.toString(Integer.parseInt(operands[0]) + Integer.parseInt(operands[1])),
                    p.getReferenceAnswer().toString(), p.getPromptId().toString());
        });
    }
}
