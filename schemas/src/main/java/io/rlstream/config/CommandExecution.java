package io.rlstream.config;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How an rlstream picocli command runs from its {@code static int run(List<String>, out, err)}
 * entry point, so that every command answers alike: {@code --help} prints the command's own
 * page (exit 0); a usage error (an unknown option, a missing value, a value its settings refuse)
 * is two lines on stderr, {@code rlstream X: what is wrong; did you mean --y?} and
 * {@code Run 'rlstream X --help' for usage.}, exit 2; a failure is {@code rlstream X failed: ...},
 * exit 1.
 */
public final class CommandExecution {

    public static final int USAGE = 2;
    public static final int FAILED = 1;

    private CommandExecution() {
    }

    /**
     * Runs {@code command} (a picocli {@code @Command} object) with {@code args}, printing to
     * {@code out} and {@code err}; {@code name} is what the user typed before the arguments,
     * e.g. {@code "rlstream bench"} for a {@code bench} command with subcommands.
     */
    public static int execute(Object command, String name, List<String> args, PrintStream out, PrintStream err) {
        return execute(commandLine(command, name), args, out, err);
    }

    /** {@link #execute(Object, String, List, PrintStream, PrintStream)} on a command line made by {@link #commandLine}. */
    public static int execute(CommandLine line, List<String> args, PrintStream out, PrintStream err) {
        PrintWriter outWriter = new PrintWriter(out, true);
        PrintWriter errWriter = new PrintWriter(err, true);
        line.setOut(outWriter);
        line.setErr(errWriter);
        try {
            return line.execute(args.toArray(String[]::new));
        } finally {
            outWriter.flush();
            errWriter.flush();
        }
    }

    /** The command line of {@code command} under {@code name}, with rlstream's error handlers. */
    public static CommandLine commandLine(Object command, String name) {
        CommandLine line = new CommandLine(command);
        line.setCommandName(name);
        line.setUsageHelpWidth(110);
        // a repeated flag: the last value wins, as the hand-written parsers had it
        line.setOverwrittenOptionsAllowed(true);
        line.setParameterExceptionHandler(CommandExecution::usageError);
        headings(line);
        line.setExecutionExceptionHandler((e, failed, parseResult) -> {
            failed.getErr().println(path(failed) + " failed: " + e);
            return FAILED;
        });
        return line;
    }

    /** A blank line and a heading above the flags and the subcommands, on every page of the tree. */
    private static void headings(CommandLine line) {
        CommandLine.Model.UsageMessageSpec usage = line.getCommandSpec().usageMessage();
        String[] description = usage.description();
        // a description written as a text block ends in a line break of its own: the blank line is there
        String gap = description.length > 0 && description[description.length - 1].endsWith("\n") ? "" : "%n";
        if (usage.optionListHeading().isEmpty()) {
            usage.optionListHeading(gap + "Flags:%n");
        }
        if (usage.commandListHeading().equals("Commands:%n")) {
            usage.commandListHeading(gap + "Commands:%n");
        }
        line.getSubcommands().values().forEach(CommandExecution::headings);
    }

    /**
     * The settings a command builds from its options; an {@link IllegalArgumentException} (a value
     * its settings refuse) becomes a usage error, exit 2.
     */
    public static <T> T usage(CommandSpec spec, Supplier<T> settings) {
        try {
            return settings.get();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /** The command's standard output as a stream, for code that prints to a {@link PrintStream}. */
    public static PrintStream out(CommandSpec spec) {
        return stream(spec.commandLine().getOut());
    }

    /** The command's standard error as a stream. */
    public static PrintStream err(CommandSpec spec) {
        return stream(spec.commandLine().getErr());
    }

    private static PrintStream stream(PrintWriter writer) {
        return new PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                writer.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writer.write(new String(b, off, len, StandardCharsets.UTF_8));
                writer.flush();
            }

            @Override
            public void flush() {
                writer.flush();
            }
        }, true, StandardCharsets.UTF_8);
    }

    /**
     * Flags and arguments picocli could not match or convert: {@code rlstream X: unknown flag --y;
     * did you mean --z?} (or an unknown command, a word that is not one of X's subcommands, an
     * unexpected argument; the first one only) and the pointer to --help; exit 2. The suggestion is
     * the closest name by edit distance (picocli's own matching is crude: 'tarin' gave reward,
     * metrics, dashboard), else picocli's. The root {@code rlstream} command uses it too.
     */
    public static int usageError(ParameterException e, String[] args) {
        CommandLine line = e.getCommandLine();
        String message = e.getMessage();
        if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String first = u.getUnmatched().get(0);
            String typed = first.replaceFirst("=.*", "");
            boolean flag = first.startsWith("-");
            List<String> subcommands = List.copyOf(line.getSubcommands().keySet());
            if (flag) {
                message = "unknown flag " + typed;
            } else if (line.getParent() == null && path(line).equals("rlstream")) {
                message = "unknown command '" + first + "'";
            } else if (!subcommands.isEmpty()) {
                message = "'" + first + "' is not one of its subcommands: " + (subcommands.size() == 1
                        ? subcommands.get(0)
                        : String.join(", ", subcommands.subList(0, subcommands.size() - 1)) + " and "
                                + subcommands.get(subcommands.size() - 1));
            } else {
                message = "unexpected argument '" + first + "'";
            }
            List<String> candidates = flag
                    ? line.getCommandSpec().optionsMap().keySet().stream().filter(n -> n.startsWith("--")).toList()
                    : subcommands;
            List<String> suggestions = candidates.isEmpty() ? List.of()
                    : KnownSettings.closest(typed, candidates, Math.max(3, typed.length() / 2)).map(List::of)
                            .orElse(u.getSuggestions());
            if (!suggestions.isEmpty()) {
                message += "; did you mean " + String.join(" or ", suggestions.stream().limit(3).toList()) + "?";
            }
        }
        return usageError(line, message);
    }

    /** {@code rlstream X: message} and {@code Run 'rlstream X --help' for usage.}; exit 2. */
    public static int usageError(CommandLine line, String message) {
        PrintWriter err = line.getErr();
        err.println(path(line) + ": " + message);
        err.println("Run '" + path(line) + " --help' for usage.");
        err.flush();
        return USAGE;
    }

    /** The command as typed: {@code rlstream bench processors}. */
    public static String path(CommandLine line) {
        String path = line.getCommandSpec().qualifiedName(" ");
        return path.startsWith("rlstream") ? path : "rlstream " + path;
    }
}
