package io.rlstream.reward.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlstream.config.CommandExecution;
import io.rlstream.config.HelpOption;
import io.rlstream.config.ServiceConfig;
import io.rlstream.reward.RewardServiceConfig;
import io.rlstream.reward.score.RewardScorer;
import io.rlstream.reward.verify.Verifiers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code rlstream reward check}: the reward service's scoring, offline, on JSONL from standard
 * input, so a user can see what a verifier extracts and why it scores as it does. Each input line
 * comes back with {@code score}, {@code status} (OK or FAILED), {@code components},
 * {@code extracted} and {@code reason} added.
 */
@Command(name = "check", description = RewardCheckCommand.DESCRIPTION, footer = RewardCheckCommand.FOOTER,
        sortOptions = false)
public final class RewardCheckCommand implements Callable<Integer> {

    /** What the command does, above its flags in {@code --help}. */
    static final String DESCRIPTION = """
            Scores each JSONL line of standard input the way the reward service scores a rollout
            and writes the line back with "score", "status" (OK, or FAILED: the check could not be
            made; never a zero), "components", "extracted" and "reason".

            Input, one object per line:
              {"response": "... \\\\boxed{42}", "answer": "42"}        math, numeric-exact, exact, regex, format
              {"response": "```python\\ndef f(): ...```", "tests": "assert f() == 1"}   code-python
              {"response": "...", "answer": "...", "prompt": "..."}     reward-model (prompt is sent along)
              optional "tokens": response length in tokens, for the overlong component
            Other fields are kept as they are.
            """;

    static final String FOOTER = """

            Exit status: 0 when every line was read, 1 when some line was not JSON (reported on
            standard error with its number and skipped), 2 on bad flags.
            """;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--verifier", paramLabel = "NAME", required = true, completionCandidates = VerifierNames.class,
            description = "The verifier: ${COMPLETION-CANDIDATES}.")
    String verifier;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any reward.* setting (rlstream config rewards);"
            + " repeatable, e.g. --set reward.components=correctness=1.0,format=0.1"
            + " --set reward.model.url=http://localhost:8000/score")
    Map<String, String> set = new LinkedHashMap<>();

    @Mixin
    HelpOption help;

    @Spec
    CommandSpec spec;

    /** The lines to score: standard input, unless {@link #run} gives another stream. */
    private InputStream in = System.in;

    /** The verifiers' names, for --verifier in --help: the built-in ones and the plug-ins on the class path. */
    static final class VerifierNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Verifiers.names(Thread.currentThread().getContextClassLoader()).iterator();
        }
    }

    /** A command object for picocli (a subcommand of {@code rlstream reward}); reads standard input. */
    public RewardCheckCommand() {
    }

    /** {@code rlstream reward check --verifier NAME [--set KEY=VALUE]... < lines.jsonl}. */
    public static int run(List<String> args, InputStream in, PrintStream out, PrintStream err) {
        RewardCheckCommand command = new RewardCheckCommand();
        command.in = in;
        return CommandExecution.execute(command, "rlstream reward check", args, out, err);
    }

    @Override
    public Integer call() {
        PrintStream out = CommandExecution.out(spec);
        PrintStream err = CommandExecution.err(spec);
        RewardServiceConfig config;
        try {
            Map<String, String> values = new HashMap<>(ServiceConfig.read(null, Map.of(), RewardServiceConfig.DEFINITION));
            values.putAll(set);
            values.put(RewardServiceConfig.VERIFIER, verifier);
            config = new RewardServiceConfig(values);
        } catch (ConfigException e) {
            throw new ParameterException(spec.commandLine(), "invalid setting: " + e.getMessage());
        }
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "reward-check-verifier");
            t.setDaemon(true);
            return t;
        });
        try {
            RewardScorer scorer = config.scorer(executor);
            return check(scorer, in, out, err);
        } finally {
            executor.shutdownNow();
        }
    }

    static int check(RewardScorer scorer, InputStream in, PrintStream out, PrintStream err) {
        int bad = 0;
        int lineNumber = 0;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (IOException e) {
                    err.println("line " + lineNumber + ": expected a JSON object, got: " + e.getMessage().lines().findFirst().orElse(""));
                    bad++;
                    continue;
                }
                if (!(node instanceof ObjectNode object) || !object.path("response").isTextual()) {
                    err.println("line " + lineNumber + ": expected an object with a string \"response\", got "
                            + abbreviate(line));
                    bad++;
                    continue;
                }
                String reference = object.hasNonNull("tests") ? object.get("tests").asText()
                        : object.hasNonNull("answer") ? object.get("answer").asText() : null;
                RewardScorer.Scored s = scorer.score(object.path("prompt").asText(""), object.get("response").asText(),
                        reference, object.path("tokens").asInt(0));
                object.put("status", s.ok() ? "OK" : "FAILED");
                if (s.ok()) {
                    object.put("score", s.score());
                } else {
                    object.putNull("score");
                }
                ObjectNode components = object.putObject("components");
                s.components().forEach(components::put);
                object.put("extracted", s.extracted());
                object.put("reason", s.reason());
                out.println(JSON.writeValueAsString(object));
                out.flush();
            }
        } catch (IOException e) {
            err.println("rlstream reward check: cannot read standard input: " + e.getMessage());
            return 1;
        }
        return bad == 0 ? 0 : 1;
    }

    private static String abbreviate(String line) {
        return line.length() <= 80 ? line : line.substring(0, 77) + "...";
    }
}
