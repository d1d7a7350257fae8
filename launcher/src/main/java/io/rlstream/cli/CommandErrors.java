package io.rlstream.cli;

import io.rlstream.config.CommandExecution;
import java.util.List;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;

/**
 * How the root rlstream command line answers a mistake: usage errors as every rlstream command
 * answers them ({@link CommandExecution#usageError}: what was wrong, the closest flag or command,
 * the pointer to --help, exit code 2); an invalid service setting with the pointer to
 * {@code rlstream config}, exit code 2; a failure while running is one line and exit code 1.
 */
final class CommandErrors {

    static final int USAGE = 2;
    static final int FAILURE = 1;
    /** The commands whose settings `rlstream config NAME` lists. */
    private static final List<String> SERVICES = List.of("rewards", "worker", "processors", "dispatcher", "trainer");

    private CommandErrors() {
    }

    /** Flags and arguments picocli could not match or convert: as every rlstream command answers them. */
    static final IParameterExceptionHandler PARAMETERS = CommandExecution::usageError;

    /** Exceptions of a command's body: usage errors and invalid settings are 2, anything else 1. */
    static final IExecutionExceptionHandler EXECUTION = (Exception e, CommandLine line, CommandLine.ParseResult parsed) -> {
        if (e instanceof UsageException) {
            return CommandExecution.usageError(line, e.getMessage());
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

    private static String name(CommandLine line) {
        return CommandExecution.path(line);
    }
}
