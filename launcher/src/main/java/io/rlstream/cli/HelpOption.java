package io.rlstream.cli;

import picocli.CommandLine.Option;

/** The -h/--help flag of every rlstream command, as a picocli mixin: the command's own page. */
final class HelpOption {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this command's flags and exit.")
    boolean help;
}
