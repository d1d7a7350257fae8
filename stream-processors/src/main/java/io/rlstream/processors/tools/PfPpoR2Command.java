package io.rlstream.processors.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlstream.config.CommandExecution;
import io.rlstream.config.HelpOption;
import io.rlstream.processors.filtration.FiltrationR2;
import io.rlstream.processors.filtration.FiltrationR2.Result;
import io.rlstream.processors.filtration.FiltrationR2.ScoredGroup;
import io.rlstream.processors.filtration.PolicyFiltrations;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rlstream pf-ppo r2}: which PF-PPO policy filtration to train with, from recorded groups
 * (arXiv 2409.06957). For every strategy of {@link PolicyFiltrations} it keeps what the strategy
 * keeps of each group, pools the kept samples and reports R² between the proxy reward and the true
 * score ({@link FiltrationR2#evaluate}); the paper chooses the strategy with the highest R².
 *
 * <p>Offline and pure: reads JSONL, writes a table, talks to no broker.
 */
@Command(name = "r2", description = PfPpoR2Command.DESCRIPTION, footer = PfPpoR2Command.FOOTER, sortOptions = false)
public final class PfPpoR2Command implements Callable<Integer> {

    /** What the command does, above its flags in {@code --help}. */
    static final String DESCRIPTION = """
            Which PF-PPO policy filtration to train with (arXiv 2409.06957). For each strategy
            (none, best-of-n, best-random, best-worst) keep the samples it keeps from every recorded
            group, pool them, and report R^2 of the least-squares line between proxy reward and true
            score on them. The paper chooses the strategy with the highest R^2: the reward is most
            trustworthy on the samples that strategy trains on.

            Input: JSONL, one group per line, from standard input unless --file is given:
              {"group_id": "p17", "rewards": [0.9, 0.1, 0.5], "scores": [1, 0, 0]}
              group_id   any string naming the group (the prompt)
              rewards    proxy rewards the loop trains on (reward model, verifier), one per sample
              scores     true scores of the same samples, in the same order (ground truth, human
                         labels, a stronger judge)
            Other fields are ignored; blank lines are skipped.
            """;

    static final String FOOTER = """

            Exit status: 0 done; 1 some lines were malformed (each reported on stderr and skipped,
            the rest still evaluated), no usable group, or no strategy with a defined R^2;
            2 bad flags.
            """;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of best-random's draws (default 0).")
    String seed;

    @Option(names = "--file", paramLabel = "PATH", description = "Read the groups from PATH instead of standard input.")
    String file;

    @Mixin
    HelpOption help;

    @Spec
    CommandSpec spec;

    /** The groups when --file is not given: standard input, unless {@link #run} gives another stream. */
    private InputStream in = System.in;

    static final long DEFAULT_SEED = 0;

    private static final String PROGRAM = "rlstream pf-ppo r2";
    // Big decimals keep a number beyond a double's range (1e999) as written, for the error message.
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    /** A command object for picocli (a subcommand of {@code rlstream pf-ppo}); reads standard input. */
    public PfPpoR2Command() {
    }

    /**
     * @param args the flags after {@code rlstream pf-ppo r2}
     * @param in   the groups as JSONL when {@code --file} is not given; not closed
     * @return the exit status
     */
    public static int run(List<String> args, InputStream in, PrintStream out, PrintStream err) {
        PfPpoR2Command command = new PfPpoR2Command();
        command.in = in;
        CommandLine line = CommandExecution.commandLine(command, PROGRAM);
        line.setOverwrittenOptionsAllowed(false); // a flag given twice is a usage error here
        return CommandExecution.execute(line, args, out, err);
    }

    @Override
    public Integer call() {
        PrintStream out = CommandExecution.out(spec);
        PrintStream err = CommandExecution.err(spec);
        Options options = CommandExecution.usage(spec, () -> {
            try {
                return Options.of(seed, file);
            } catch (UsageException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
        });
        Input input;
        String source = options.file == null ? "standard input" : options.file.toString();
        try {
            if (options.file == null) {
                input = read(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), err);
            } else {
                try (BufferedReader reader = Files.newBufferedReader(options.file, StandardCharsets.UTF_8)) {
                    input = read(reader, err);
                }
            }
        } catch (IOException e) {
            err.println(PROGRAM + ": cannot read " + source + ": " + e);
            return 1;
        }

        if (input.groups.isEmpty()) {
            err.println(PROGRAM + ": no usable group in " + source + " (" + input.malformed + " malformed line(s));"
                    + " expected JSONL like {\"group_id\": \"p17\", \"rewards\": [0.9, 0.1], \"scores\": [1, 0]}."
                    + " Run with --help for the format.");
            return 1;
        }

        List<Result> results = FiltrationR2.evaluate(input.groups, options.seed);
        int chosen = chosen(results);
        printTable(results, chosen, input, options.seed, out);

        int status = 0;
        if (chosen < 0) {
            err.println(PROGRAM + ": no strategy has a defined R^2 (each kept fewer than 2 samples, or their true"
                    + " scores were all equal): record groups whose true scores differ");
            status = 1;
        }
        if (input.malformed > 0) {
            err.println(PROGRAM + ": skipped " + input.malformed + " malformed line(s) of " + source
                    + "; the table counts only the others");
            status = 1;
        }
        return status;
    }

    /** Index of the highest defined R²; ties go to the earlier strategy; −1 when none is defined. */
    private static int chosen(List<Result> results) {
        int best = -1;
        for (int i = 0; i < results.size(); i++) {
            double r2 = results.get(i).r2();
            if (!Double.isNaN(r2) && (best < 0 || r2 > results.get(best).r2())) {
                best = i;
            }
        }
        return best;
    }

    private static void printTable(List<Result> results, int chosen, Input input, long seed, PrintStream out) {
        out.printf(Locale.ROOT, "R^2 between proxy reward and true score on the samples each strategy keeps"
                + " (%d groups, %d samples read, seed %d)%n", input.groups.size(), input.samples, seed);
        out.printf(Locale.ROOT, "%-12s %7s %8s %10s%n", "strategy", "groups", "samples", "R^2");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            String r2 = Double.isNaN(r.r2()) ? "undefined" : String.format(Locale.ROOT, "%.6f", r.r2());
            out.printf(Locale.ROOT, "%-12s %7d %8d %10s%s%n", r.strategy(), r.groups(), r.samples(), r2,
                    i == chosen ? "  <- best" : "");
        }
        if (chosen >= 0) {
            out.println("choose " + results.get(chosen).strategy() + ": it has the highest R^2, PF-PPO's criterion"
                    + " for picking a policy filtration (arXiv 2409.06957; ties go to the earlier row)");
        }
    }

    private record Input(List<ScoredGroup> groups, int samples, int malformed) {
    }

    private static Input read(BufferedReader reader, PrintStream err) throws IOException {
        List<ScoredGroup> groups = new ArrayList<>();
        int samples = 0;
        int malformed = 0;
        int lineNumber = 0;
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            try {
                ScoredGroup group = parse(line);
                groups.add(group);
                samples += group.rewards().length;
            } catch (MalformedLine e) {
                err.println("line " + lineNumber + ": " + e.getMessage());
                malformed++;
            }
        }
        return new Input(groups, samples, malformed);
    }

    private static ScoredGroup parse(String line) throws MalformedLine {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new MalformedLine("expected a JSON object, came invalid JSON (" + firstLine(e.getOriginalMessage()) + ")");
        }
        if (!node.isObject()) {
            throw new MalformedLine("expected a JSON object, came " + describe(node));
        }
        JsonNode id = node.get("group_id");
        if (id == null || !id.isTextual()) {
            throw new MalformedLine("expected \"group_id\" as a string, came " + describe(id));
        }
        double[] rewards = numbers(node, "rewards");
        double[] scores = numbers(node, "scores");
        if (rewards.length != scores.length) {
            throw new MalformedLine("expected one score per reward, came " + rewards.length + " rewards and "
                    + scores.length + " scores");
        }
        if (rewards.length == 0) {
            throw new MalformedLine("expected at least one sample, came empty \"rewards\" and \"scores\"");
        }
        return new ScoredGroup(id.asText(), rewards, scores);
    }

    private static double[] numbers(JsonNode group, String field) throws MalformedLine {
        JsonNode array = group.get(field);
        if (array == null || !array.isArray()) {
            throw new MalformedLine("expected \"" + field + "\" as an array of numbers, came " + describe(array));
        }
        double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = array.get(i);
            if (!v.isNumber()) {
                throw new MalformedLine("expected \"" + field + "\"[" + i + "] to be a number, came " + describe(v));
            }
            if (!Double.isFinite(v.asDouble())) {
                throw new MalformedLine("expected \"" + field + "\"[" + i + "] within a double's range, came " + describe(v));
            }
            values[i] = v.asDouble();
        }
        return values;
    }

    /** A JSON value as it came, shortened; "nothing" for a missing field. */
    private static String describe(JsonNode node) {
        if (node == null) {
            return "nothing";
        }
        String text = node.toString();
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }

    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static final class MalformedLine extends Exception {
        MalformedLine(String message) {
            super(message, null, false, false);
        }
    }

    private static final class UsageException extends Exception {
        UsageException(String message) {
            super(message, null, false, false);
        }
    }

    /** The flags' values, checked. */
    private record Options(long seed, Path file) {

        static Options of(String seed, String file) throws UsageException {
            long seedValue = DEFAULT_SEED;
            if (seed != null) {
                try {
                    seedValue = Long.parseLong(seed);
                } catch (NumberFormatException e) {
                    throw new UsageException("--seed expects an integer, got '" + seed + "'");
                }
            }
            if (file != null && file.isEmpty()) {
                throw new UsageException("--file expects a path, got ''");
            }
            try {
                return new Options(seedValue, file == null ? null : Path.of(file));
            } catch (InvalidPathException e) {
                throw new UsageException("--file expects a path, got '" + file + "' (" + e.getReason() + ")");
            }
        }
    }
}
