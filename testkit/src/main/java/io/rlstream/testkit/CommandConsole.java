package io.rlstream.testkit;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Runs a command-line entry point the way its tests do. Every rlstream command has an entry point
 * {@code run(args, out, err)} (or {@code run(args, in, out, err)}) that returns its exit code; a
 * console captures what it prints to stdout and stderr as UTF-8 text, kept across runs until
 * {@link #reset()}. {@link #once} runs with fresh buffers and returns all three.
 *
 * <pre>{@code
 * CommandConsole console = new CommandConsole();
 * assertEquals(2, console.run(Rlstream::run, "tarin"));
 * assertTrue(console.err().contains("unknown command 'tarin'"));
 * }</pre>
 */
public final class CommandConsole {

    /** An entry point without standard input. */
    @FunctionalInterface
    public interface Command {
        int run(List<String> args, PrintStream out, PrintStream err);
    }

    /** An entry point that reads standard input. */
    @FunctionalInterface
    public interface CommandWithInput {
        int run(List<String> args, InputStream in, PrintStream out, PrintStream err);
    }

    /** One run: its exit code and what it printed. */
    public record Output(int status, String out, String err) {
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
    private final PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);

    /** Runs {@code command} with {@code args}; returns its exit code. */
    public int run(Command command, String... args) {
        return run(command, List.of(args));
    }

    public int run(Command command, List<String> args) {
        return command.run(args, outStream, errStream);
    }

    /** Runs {@code command} with {@code args} and {@code stdin} (UTF-8) as its standard input. */
    public int run(CommandWithInput command, String stdin, String... args) {
        return command.run(List.of(args), new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                outStream, errStream);
    }

    /** The stream that stands for stdout, for code that takes a {@link PrintStream}. */
    public PrintStream outStream() {
        return outStream;
    }

    /** Everything printed to stdout since the last {@link #reset()}. */
    public String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Everything printed to stderr since the last {@link #reset()}. */
    public String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** Forgets what was printed. */
    public void reset() {
        out.reset();
        err.reset();
    }

    /** One run on fresh buffers. */
    public static Output once(Command command, List<String> args) {
        CommandConsole console = new CommandConsole();
        int status = console.run(command, args);
        return new Output(status, console.out(), console.err());
    }

    /** One run on fresh buffers, with {@code stdin} as standard input. */
    public static Output once(CommandWithInput command, String stdin, String... args) {
        CommandConsole console = new CommandConsole();
        int status = console.run(command, stdin, args);
        return new Output(status, console.out(), console.err());
    }
}
