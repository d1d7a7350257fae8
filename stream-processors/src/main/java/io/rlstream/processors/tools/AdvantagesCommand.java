package io.rlstream.processors.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlstream.algorithm.Algorithm;
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

/**
 * {@code rlstream advantages}: the advantage estimators of the grouping app, offline, on JSONL.
 * Lets one check an estimator on recorded groups, or compare estimators, without Kafka.
 *
 * <p>Group-only estimators answer line by line (and flush each answer, so the command can sit in
 * a pipe); estimators with a batch stage answer once a batch of {@code --batch-groups} groups (by
 * default all of stdin) is complete. A malformed line is reported on stderr and skipped; the rest
 * go on, and the exit status says that something was skipped.
 */
public final class AdvantagesCommand {

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

    private AdvantagesCommand() {
    }

    /** Runs the command on {@code args} (without the word "advantages"); returns the exit status. */
    public static int run(List<String> args, InputStream in, PrintStream out, PrintStream err) {
        if (args.contains("--help") || args.contains("-h")) {
            out.print(usage());
            out.flush();
            return OK;
        }
        AdvantagesSettings settings;
        try {
            settings = AdvantagesSettings.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("rlstream advantages: " + e.getMessage());
            err.print(usage());
            err.flush();
            return USAGE;
        }
        AdvantageEstimator estimator = AdvantageEstimators.FAMILY.create(settings.estimator(), settings.options());
        try {
            return new Run(estimator, settings.batchGroups(), out, err).over(in);
        } catch (IOException | UncheckedIOException e) {
            err.println("rlstream advantages: cannot read stdin: " + e.getMessage());
            return MALFORMED_LINES;
        }
    }

    /** The usage text, listing every registered estimator with its formula. */
    public static String usage() {
        StringBuilder estimators = new StringBuilder();
        for (Algorithm<AdvantageOptions, AdvantageEstimator> entry : AdvantageEstimators.FAMILY.entries()) {
            boolean batch = entry.create(AdvantageOptions.defaults()).hasBatchStage();
            estimators.append(String.format("  %-23s %s%s%n", entry.name(), entry.formula(), batch ? "   [batch stage]" : ""));
        }
        return """
                Usage: rlstream advantages --estimator NAME [--std sample|population] [--epsilon E] [--batch-groups N]

                Computes advantages offline. Reads groups as JSON lines on stdin, one group per line:
                  {"group_id": "g1", "rewards": [1, 0, 0, 0], "lengths": [120, 85, 300, 42]}
                (lengths: response lengths in tokens, optional, default all 1) and writes one line per
                group to stdout, in input order:
                  {"group_id":"g1","advantages":[1.499997,-0.499999,-0.499999,-0.499999]}

                Estimators (G samples per group, r_i their rewards, |o_i| their lengths):
                %s
                Options:
                  --estimator NAME          one of the estimators above (required)
                  --std sample|population   std of grpo and grpo-batch-std: sample divides by N-1
                                            (default), population by N
                  --epsilon E               added to that std before dividing (default 1e-6)
                  --batch-groups N          estimators with a batch stage normalise over batches of N
                                            consecutive groups (default: all of stdin is one batch);
                                            the others answer line by line
                  -h, --help                this text

                Malformed lines are reported on stderr as "line N: ..." and skipped; blank lines are
                ignored. Exit status: 0 all lines read, 1 some lines skipped, 2 bad option.
                """.formatted(estimators);
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
