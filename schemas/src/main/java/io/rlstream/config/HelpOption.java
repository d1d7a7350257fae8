package io.rlstream.config;

import picocli.CommandLine.Option;

/** {@code -h/--help} as a picocli mixin ({@code @Mixin HelpOption help;}): the command's own page, exit 0. */
public final class HelpOption {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "This text.")
    public boolean help;
}
