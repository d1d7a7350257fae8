package io.rlstream.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * A command that parses its own arguments through a {@code static int run(List<String>, ...)}
 * entry point (the commands of other modules): picocli only routes to it and hands every argument
 * after the command's name over untouched, --help included.
 */
@Command(name = "forwarded")
final class ForwardedCommand implements Callable<Integer> {

    /** A command's own entry point. */
    @FunctionalInterface
    interface Entry {
        int run(List<String> args, Terminal terminal) throws Exception;
    }

    @Unmatched
    List<String> args = new ArrayList<>();

    private final Entry entry;
    private final Terminal terminal;

    private ForwardedCommand(Entry entry, Terminal terminal) {
        this.entry = entry;
        this.terminal = terminal;
    }

    /** The command line of a forwarded command, named and described for the overview and completion. */
    static CommandLine of(String description, Entry entry, Terminal terminal) {
        CommandLine line = new CommandLine(new ForwardedCommand(entry, terminal));
        line.getCommandSpec().usageMessage().description(description);
        line.getCommandSpec().parser().unmatchedOptionsArePositionalParams(true);
        return line;
    }

    @Override
    public Integer call() throws Exception {
        return entry.run(List.copyOf(args), terminal);
    }
}
