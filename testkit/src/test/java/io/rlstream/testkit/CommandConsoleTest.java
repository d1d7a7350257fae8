package io.rlstream.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandConsoleTest {

    /** Prints its arguments to stdout, "bad" to stderr, and exits with the number of arguments. */
    private static int echo(List<String> args, PrintStream out, PrintStream err) {
        out.print(String.join(" ", args));
        err.println("bad ü");
        return args.size();
    }

    @Test
    void keepsWhatRunsPrintUntilReset() {
        CommandConsole console = new CommandConsole();
        assertEquals(2, console.run(CommandConsoleTest::echo, "a", "b"));
        assertEquals(1, console.run(CommandConsoleTest::echo, "c"));
        assertEquals("a bc", console.out());
        assertEquals("bad ü" + System.lineSeparator() + "bad ü" + System.lineSeparator(), console.err());
        console.reset();
        assertEquals("", console.out());
        assertEquals("", console.err());
    }

    @Test
    void onceRunsOnFreshBuffersAndPassesStandardInput() {
        CommandConsole.Output output = CommandConsole.once((args, in, out, err) -> {
            try {
                out.print(new String(in.readAllBytes(), StandardCharsets.UTF_8).toUpperCase() + args);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return 3;
        }, "line ä\n", "--x");
        assertEquals(new CommandConsole.Output(3, "LINE Ä\n[--x]", ""), output);
        assertEquals(new CommandConsole.Output(1, "z", "bad ü" + System.lineSeparator()),
                CommandConsole.once(CommandConsoleTest::echo, List.of("z")));
    }
}
