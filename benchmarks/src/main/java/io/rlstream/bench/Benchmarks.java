package io.rlstream.bench;

import java.io.PrintStream;
import java.util.List;

/** {@code rlstream bench NAME ...}: picks the benchmark; each parses its own flags ({@code --help}). */
public final class Benchmarks {

    private Benchmarks() {
    }

    public static int run(List<String> argv, PrintStream out, PrintStream err) {
        String name = argv.isEmpty() ? "" : argv.get(0);
        List<String> rest = argv.isEmpty() ? argv : argv.subList(1, argv.size());
        return switch (name) {
            case "processors" -> ProcessorsBenchmark.run(rest, out, err);
            case "trainer" -> TrainerBenchmark.run(rest, out, err);
            case "selectors" -> SelectorBenchmark.run(rest, out, err);
            case "async" -> AsyncBenchmark.run(rest, out, err);
            case "model" -> ModelBenchmark.run(rest, out, err);
            case "objectives" -> ObjectiveBenchmark.run(rest, out, err);
            case "generator" -> GeneratorBenchmark.run(rest, out, err);
            default -> {
                err.println("rlstream: bench runs processors, trainer, selectors, async, model, objectives or generator"
                        + " (rlstream bench processors --help)");
                yield 2;
            }
        };
    }
}
