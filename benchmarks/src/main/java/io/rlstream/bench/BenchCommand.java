package io.rlstream.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What every {@code rlstream bench NAME} shares on the command line, so that the benchmarks
 * answer alike: picocli matches the flags ({@code --help}, unknown flags and missing values:
 * {@link io.rlstream.config.CommandExecution}); {@link #matchedArgs} hands the matched flags to the
 * benchmark's settings parser; a value the settings refuse is exit code 2 with a pointer to
 * {@code --help}; the run is exit code 1 when it fails.
 */
final class BenchCommand {

    /** The benchmark itself, given valid settings; returns the exit code. */
    interface Body<S> {
        int run(S settings) throws Exception;
    }

    private BenchCommand() {
    }

    /**
     * A benchmark's picocli command: its own --help, and a body that takes the matched flags in
     * the form its settings parser reads ({@link #matchedArgs}).
     */
    abstract static class Parsed implements java.util.concurrent.Callable<Integer> {

        @picocli.CommandLine.Mixin
        io.rlstream.config.HelpOption help;

        @picocli.CommandLine.Spec
        CommandSpec spec;

        /** Runs the benchmark with the matched flags. */
        abstract int parsed(List<String> args, PrintStream out, PrintStream err);

        @Override
        public Integer call() {
            return parsed(matchedArgs(spec), io.rlstream.config.CommandExecution.out(spec),
                    io.rlstream.config.CommandExecution.err(spec));
        }
    }

    static <S> int run(String name, List<String> args, PrintStream out, PrintStream err,
            Function<List<String>, S> parse, Body<S> body) {
        S settings;
        try {
            settings = parse.apply(args);
        } catch (IllegalArgumentException e) {
            err.println("rlstream bench " + name + ": " + e.getMessage());
            err.println("Run 'rlstream bench " + name + " --help' for usage.");
            return 2;
        }
        try {
            return body.run(settings);
        } catch (Exception | LinkageError e) {
            // LinkageError: DJL's native engine that cannot load says so here, not as a stack trace
            err.println("rlstream bench " + name + " failed: " + e);
            return 1;
        }
    }

    /**
     * The flags picocli matched for this command, as {@code --name value} pairs ({@code --name}
     * alone for a flag without a value), every value of a repeated flag in the order given: only
     * flags the command declares, each with its value.
     */
    static List<String> matchedArgs(CommandSpec spec) {
        List<String> args = new ArrayList<>();
        // picocli lists an option once per time it was given, each time with all its values
        for (OptionSpec option : new java.util.LinkedHashSet<>(spec.commandLine().getParseResult().matchedOptions())) {
            if (option.usageHelp()) {
                continue;
            }
            if (option.arity().max() == 0) {
                args.add(option.longestName());
            } else {
                for (String value : option.originalStringValues()) {
                    args.add(option.longestName());
                    args.add(value);
                }
            }
        }
        return args;
    }

    /**
     * {@code --name value} and {@code --name=value} pairs, in order (a repeated flag: the last
     * wins); {@link IllegalArgumentException} for a bare argument, an unknown flag or a missing value.
     */
    static Map<String, String> flags(List<String> args, List<String> known) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else {
                value = i + 1 < args.size() ? args.get(i + 1) : null;
                i++;
            }
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown flag --" + name + " (known: --" + String.join(", --", known)
                        + ", --help)");
            }
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("flag --" + name + " needs a value");
            }
            flags.remove(name);
            flags.put(name, value);
        }
        return flags;
    }

    /** {@code runs/PREFIX-yyyyMMdd-HHmmss}: a fresh run folder. */
    static Path timestampedRunDir(String prefix) {
        return Path.of("runs", prefix + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }

    /**
     * The flags of the benchmarks that run the demo once per variant (selectors, async): the RL
     * budget, the target accuracy, the seed and the run folder.
     */
    static final class DemoRunFlags {
        double minutes;
        double target = 0.85;
        long seed = 7;
        private Path runDir;

        DemoRunFlags(double minutes) {
            this.minutes = minutes;
        }

        /**
         * Reads the flags of {@code args} ({@link BenchCommand#flags}), takes --minutes, --target,
         * --seed and --run-dir, and returns the others, by name without dashes, in order.
         *
         * @throws IllegalArgumentException for an unknown flag or a number that does not parse
         */
        Map<String, String> readFrom(List<String> args, List<String> known) {
            Map<String, String> others = new LinkedHashMap<>();
            flags(args, known).forEach((name, value) -> {
                try {
                    switch (name) {
                        case "minutes" -> minutes = Double.parseDouble(value);
                        case "target" -> target = Double.parseDouble(value);
                        case "seed" -> seed = Long.parseLong(value);
                        case "run-dir" -> runDir = Path.of(value);
                        default -> others.put(name, value);
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--" + name + " needs a number, got '" + value + "'");
                }
            });
            return others;
        }

        /** --run-dir, else {@link #timestampedRunDir}; absolute. */
        Path runDir(String prefix) {
            return (runDir != null ? runDir : timestampedRunDir(prefix)).toAbsolutePath();
        }
    }

    /** A whole-number flag value ({@code 1_000} allowed). */
    static int integer(String flag, String value) {
        try {
            return Integer.parseInt(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + flag + " expects a whole number, got '" + value + "'");
        }
    }
}
