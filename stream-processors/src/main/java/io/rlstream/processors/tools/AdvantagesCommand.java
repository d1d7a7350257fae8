package io.rlstream.processors.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlstream.algorithm.Algorithm;
import io.rlstream.config.CommandExecution;
import io.rlstream.config.HelpOption;
import io.rlstream.processors.advantage.AdvantageEstimator;
import io.rlstream.processors.advantage.AdvantageEstimators;
import io.rlstream.processors.advantage.AdvantageOptions;
import io.rlstream.processors.advantage.GroupRewards;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.ListResourceBundle;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rlstream advantages}: the advantage estimators of the grouping app, offline, on JSONL.
 * Lets one check an estimator on recorded groups, or compare estimators, without Kafka.
 *
 * <p>Group-only estimators answer line by line (and flush each answer, so the command can sit in
 * a pipe); estimators with a batch stage answer once a batch of {@code --batch-groups} groups (by
 * default all of stdin) is complete. A malformed line is reported on stderr and skipped; the rest
 * go on, and the exit status says that something was skipped.
 */
@Command(name = "advantages", resourceBundle = "io.rlstream.processors.tools.AdvantagesCommand$HelpText",
        description = {AdvantagesCommand.DESCRIPTION, "${bundle:estimators}"}, footer = AdvantagesCommand.FOOTER,
        sortOptions = false)
public final class AdvantagesCommand implements Callable<Integer> {

    /** What the command does, above its flags in {@code --help}; the estimators follow. */
    static final String DESCRIPTION = """
            Computes advantages offline. Reads groups as JSON lines on stdin, one group per line:
              {"group_id": "g1", "rewards": [1, 0, 0, 0], "lengths": [120, 85, 300, 42]}
            (lengths: response lengths in tokens, optional, default all 1) and writes one line per
            group to stdout, in input order:
              {"group_id":"g1","advantages":[1.499997,-0.499999,-0.499999,-0.499999]}

            Estimators (G samples per group, r_i their rewards, |o_i| their lengths):""";

    static final String FOOTER = """

            Malformed lines are reported on stderr as "line N: ..." and skipped; blank lines are
            ignored. Exit status: 0 all lines read, 1 some lines skipped, 2 bad option.
            """;

    /** Exit status: every line read. */
    public static final int OK = 0;
    /** Exit status: some lines were malformed and skipped. */
    public static final int MALFORMED_LINES = 1;
    /** Exit status: bad options; nothing read. */
    public static final int USAGE = 2;

    private static final ObjectMapper JSON = JsonMapper.builder()
            // ASCII out whatever the group ids hold, so the platform encoding of stdout cannot garble them.
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .build();

    @Option(names = "--estimator", paramLabel = "NAME", required = true,
            description = "One of the estimators above (required).")
    String estimator;

    @Option(names = "--std", paramLabel = "sample|population", description = "Std of grpo and grpo-batch-std: sample"
            + " divides by N-1 (default), population by N.")
    String std;

    @Option(names = "--epsilon", paramLabel = "E", description = "Added to that std before dividing (default 1e-6).")
    String epsilon;

    @Option(names = "--batch-groups", paramLabel = "N", description = "Estimators with a batch stage normalise over"
            + " batches of N consecutive groups (default: all of stdin is one batch); the others answer line by line.")
    String batchGroups;

    @Mixin
    HelpOption help;

    @Spec
    CommandSpec spec;

    /** The groups: standard input, unless {@link #run} gives another stream. */
    private InputStream in = System.in;

    /** A command object for picocli (a subcommand of {@code rlstream}); reads standard input. */
    public AdvantagesCommand() {
    }

    /** Runs the command on {@code args} (without the word "advantages"); returns the exit status. */
    public static int run(List<String> args, InputStream in, PrintStream out, PrintStream err) {
        AdvantagesCommand command = new AdvantagesCommand();
        command.in = in;
        return CommandExecution.execute(command, "rlstream advantages", args, out, err);
    }

    @Override
    public Integer call() {
        PrintStream out = CommandExecution.out(spec);
        PrintStream err = CommandExecution.err(spec);
        List<String> given = new ArrayList<>(List.of("--estimator", estimator));
        if (std != null) {
            given.addAll(List.of("--std", std));
        }
        if (epsilon != null) {
            given.addAll(List.of("--epsilon", epsilon));
        }
        if (batchGroups != null) {
            given.addAll(List.of("--batch-groups", batchGroups));
        }
        AdvantagesSettings settings = CommandExecution.usage(spec, () -> AdvantagesSettings.parse(given));
        AdvantageEstimator chosen = AdvantageEstimators.FAMILY.create(settings.estimator(), settings.options());
        try {
            return new Run(chosen, settings.batchGroups(), out, err).over(in);
        } catch (IOException | UncheckedIOException e) {
            err.println("rlstream advantages: cannot read stdin: " + e.getMessage());
            return MALFORMED_LINES;
        }
    }

    /** Every registered estimator with its formula, one per line, for {@code --help}. */
    static String estimatorTable() {
        StringBuilder estimators = new StringBuilder();
        for (Algorithm<AdvantageOptions, AdvantageEstimator> entry : AdvantageEstimators.FAMILY.entries()) {
            boolean batch = entry.create(AdvantageOptions.defaults()).hasBatchStage();
            estimators.append(String.format("  %-23s %s%s%n", entry.name(), entry.formula(), batch ? "   [batch stage]" : ""));
        }
        return estimators.toString();
    }

    /** The estimator table as a resource bundle, so that picocli's {@code --help} shows it ({@code ${bundle:estimators}}). */
    public static final class HelpText extends ListResourceBundle {
        @Override
        protected Object[][] getContents() {
            return new Object[][] {{"estimators", estimatorTable().stripTrailing().replace("%", "%%")}};
        }
    }

    /** One pass over stdin: the groups of the current batch wait here until it is full. */
    private static final class Run {
        private final AdvantageEstimator estimator;
        private final int batchGroups;
        private final PrintStream out;
        private final PrintStream err;
        private final List<GroupLine> batch = new ArrayList<>();
        private final List<float[]> firstStage = new ArrayList<>();

        Run(AdvantageEstimator estimator, int batchGroups, PrintStream out, PrintStream err) {
            this.estimator = estimator;
            this.batchGroups = batchGroups;
            this.out = out;
            this.err = err;
        }

        int over(InputStream in) throws IOException {
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            boolean skipped = false;
            int lineNumber = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                GroupLine group;
                try {
                    group = GroupLine.parse(line);
                } catch (GroupLine.Malformed e) {
                    err.println("line " + lineNumber + ": " + e.getMessage());
                    err.flush();
                    skipped = true;
                    continue;
                }
                accept(group);
            }
            finishBatch();
            return skipped ? MALFORMED_LINES : OK;
        }

        private void accept(GroupLine group) {
            float[] advantages = estimator.advantages(group.rewards());
            if (!estimator.hasBatchStage()) {
                write(group, advantages);
                out.flush();
                return;
            }
            batch.add(group);
            firstStage.add(advantages);
            if (batch.size() == batchGroups) {
                finishBatch();
            }
        }

        private void finishBatch() {
            if (batch.isEmpty()) {
                return;
            }
            List<GroupRewards> groups = batch.stream().map(GroupLine::rewards).toList();
            List<float[]> advantages = estimator.normalizeBatch(groups, firstStage);
            for (int k = 0; k < batch.size(); k++) {
                write(batch.get(k), advantages.get(k));
            }
            out.flush();
            batch.clear();
            firstStage.clear();
        }

        private void write(GroupLine group, float[] advantages) {
            ObjectNode answer = JSON.createObjectNode();
            answer.set("group_id", group.groupId());
            ArrayNode values = answer.putArray("advantages");
            for (float a : advantages) {
                values.add(a);
            }
            try {
                out.println(JSON.writeValueAsString(answer));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write the answer for group " + group.groupId(), e);
            }
        }
    }
}
