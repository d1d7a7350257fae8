package io.rlstream.bench;

import io.rlstream.config.CommandExecution;
import io.rlstream.config.HelpOption;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code rlstream bench NAME ...}: picks the benchmark; each has its own flags ({@code --help}). */
@Command(name = "bench", description = "Measurements of rlstream's parts on this machine; each benchmark has its own flags.",
        subcommands = {ProcessorsBenchmark.class, TrainerBenchmark.class, SelectorBenchmark.class, AsyncBenchmark.class,
                ModelBenchmark.class, ObjectiveBenchmark.class, GeneratorBenchmark.class},
        footer = {"", "Run 'rlstream bench NAME --help' for a benchmark's flags."})
public final class Benchmarks implements Callable<Integer> {

    @Mixin
    HelpOption help;

    @Spec
    CommandSpec spec;

    /** A command object for picocli (a subcommand of {@code rlstream}). */
    public Benchmarks() {
    }

    /** {@code rlstream bench} without a benchmark: a usage error that names them. */
    @Override
    public Integer call() {
        spec.commandLine().getErr().println("rlstream: bench runs processors, trainer, selectors, async, model, objectives"
                + " or generator (rlstream bench processors --help)");
        return CommandExecution.USAGE;
    }

    public static int run(List<String> argv, PrintStream out, PrintStream err) {
        return CommandExecution.execute(new Benchmarks(), "rlstream bench", argv, out, err);
    }
}
