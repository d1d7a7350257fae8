package io.rlstream.cli;

import java.io.PrintWriter;
import java.util.List;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How every rlstream command answers a mistake: one line naming the command and what was wrong
 * (with picocli's closest match for a misspelt flag or command), one line pointing to the
 * command's own --help, exit code 2; a failure while running is one line and exit code 1.
 */
final class CommandErrors {

    static final int USAGE = 2;
    static final int FAILURE = 1;
    /** The commands whose settings `rlstream config NAME` lists. */
    private static final List<String> SERVICES = List.of("rewards", "worker", "processors", "dispatcher", "trainer");

    private CommandErrors() {
    }

    /** Flags and arguments picocli could not match or convert. */
    static final IParameterExceptionHandler PARAMETERS = (ParameterException e, String[] args) -> {
        CommandLine line = e.getCommandLine();
        String message = e.getMessage();
        if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String first = u.getUnmatched().get(0);
            boolean root = line.getParent() == null;
            if (first.startsWith("-")) {
                message = "unknown flag " + first.replaceFirst("=.*", "");
            } else if (root) {
                message = "unknown command '" + first + "'";
            } else if (!line.getSubcommands().isEmpty()) {
                List<String> names = List.copyOf(line.getSubcommands().keySet());
                message = "'" + first + "' is not one of its subcommands: "
                        + String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
            } else {
                message = "unexpected argument '" + first + "'";
            }
            // picocli's own matching is crude ('tarin' -> reward, metrics, dashboard); the closest
            // name by edit distance (as for settings, a little more lenient: names are short) wins.
            List<String> candidates = first.startsWith("-")
                    ? line.getCommandSpec().optionsMap().keySet().stream().filter(n -> n.startsWith("--")).toList()
                    : List.copyOf(line.getSubcommands().keySet());
            String typed = first.replaceFirst("=.*", "");
            List<String> suggestions = io.rlstream.config.KnownSettings.closest(typed, candidates,
                    Math.max(3, typed.length() / 2))
                    .map(List::of).orElse(u.getSuggestions());
            if (!suggestions.isEmpty()) {
                message += "; did you mean " + String.join(" or ", suggestions.stream().limit(3).toList()) + "?";
            }
        }
        return usageError(line, message);
    };

    /** Exceptions of a command's body: usage errors and invalid settings are 2, anything else 1. */
    static final IExecutionExceptionHandler EXECUTION = (Exception e, CommandLine line, CommandLine.ParseResult parsed) -> {
        if (e instanceof UsageException) {
            return usageError(line, e.getMessage());
        }
        if (e instanceof ConfigException) {
            line.getErr().println(name(line) + ": invalid configuration: " + e.getMessage());
            String command = line.getCommandSpec().name();
            String service = SERVICES.contains(command) ? command : command.equals("replay") ? "processors" : "SERVICE";
            line.getErr().println("Run 'rlstream config " + service + "' for the settings; '" + name(line) + " --help' for the flags.");
            line.getErr().flush();
            return USAGE;
        }
        line.getErr().println(name(line) + " failed: " + e);
        line.getErr().flush();
        return FAILURE;
    };

    private static int usageError(CommandLine line, String message) {
        PrintWriter err = line.getErr();
        err.println(name(line) + ": " + message);
        err.println("Run '" + name(line) + " --help' for usage.");
        err.flush();
        return USAGE;
    }

    /** The command as typed: "rlstream", "rlstream model init". */
    static String name(CommandLine line) {
        return line.getCommandSpec().qualifiedName(" ");
    }
}
