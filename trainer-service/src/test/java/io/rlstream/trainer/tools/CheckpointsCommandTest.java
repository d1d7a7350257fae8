package io.rlstream.trainer.tools;

import static io.rlstream.trainer.checkpoint.TinyPolicySteps.PROMPTS;
import static io.rlstream.trainer.checkpoint.TinyPolicySteps.SMALL;
import static io.rlstream.trainer.checkpoint.TinyPolicySteps.step;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.rlstream.model.Policy;
import io.rlstream.testkit.CommandConsole;
import io.rlstream.trainer.checkpoint.CheckpointStore;
import io.rlstream.trainer.checkpoint.TrainerState;
import io.rlstream.trainer.core.AdamW;
import io.rlstream.trainer.core.TrainerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsCommandTest {

    private static final long CREATED = 1_732_444_966_000L; // 2024-11-24T10:42:46Z

    @TempDir
    static Path shared;
    /** Checkpoints 1 and 2 written by a trainer with AdamW, 3 by one without (an older trainer). */
    static Path checkpoints;
    /** Greedy answers of the policy as it was written at version 3, the newest. */
    static int[][] newestAnswers;
    static Policy policy;

    @BeforeAll
    static void writeCheckpoints() {
        checkpoints = shared.resolve("checkpoints");
        CheckpointStore store = new CheckpointStore(checkpoints);
        policy = Policy.create(SMALL, 11);
        AdamW optimizer = AdamW.of(TrainerConfig.defaults(), null);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("trainer", TrainerConfig.defaults());
        config.put("checkpoints_keep", 5);
        for (long v = 1; v <= 3; v++) {
            step(policy, optimizer, 1e-2f);
            TrainerState state = new TrainerState("demo", v, 2 * v,
                    List.of(new TrainerState.Position("rl.training-batches", 0, 10 * v + 1)),
                    Map.of("loss", 0.25 / v, "reward_mean", 0.1 * v, "tokens", 100.0), CREATED + v * 1000);
            Map<String, String> metadata = Map.of("policy_name", "demo", "version", Long.toString(v));
            if (v < 3) {
                store.write(policy, state, metadata, optimizer, config);
            } else {
                store.write(policy, state, metadata);
            }
        }
        newestAnswers = policy.greedy(PROMPTS, 4).stream().map(g -> g.tokens()).toArray(int[][]::new);
    }

    @AfterAll
    static void closePolicy() {
        policy.close();
    }

    private static CommandConsole.Output run(String... args) {
        return CommandConsole.once(CheckpointsCommand::run, Arrays.asList(args));
    }

    @Test
    void listShowsOneLinePerCheckpointNewestLast() {
        CommandConsole.Output r = run("list", "--dir", checkpoints.toString());
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).startsWith("Checkpoints in " + checkpoints.toAbsolutePath()), r.out());
        assertTrue(lines.get(1).matches("VERSION\\s+STEP\\s+CREATED \\(UTC\\)\\s+SIZE\\s+CONSUMED UP TO\\s+LOSS"
                + "\\s+REWARD_MEAN\\s+OPTIMIZER"), lines.get(1));
        // version 1: step 2, written at CREATED + 1 s, consumed batches up to offset 11, loss 0.25
        assertTrue(lines.get(2).matches(" *1\\s+2\\s+2024-11-24T10:42:47Z\\s+\\d+\\.\\d KiB\\s+"
                + "rl\\.training-batches-0@11\\s+0\\.2500\\s+0\\.1000\\s+yes"), lines.get(2));
        assertTrue(lines.get(3).matches(" *2\\s+4\\s+.*rl\\.training-batches-0@21\\s+0\\.1250\\s+0\\.2000\\s+yes"),
                lines.get(3));
        // version 3 was written without optimizer state
        assertTrue(lines.get(4).matches(" *3\\s+6\\s+.*@31\\s+0\\.08333\\s+0\\.3000\\s+no"), lines.get(4));
        assertEquals(5, lines.size(), r.out());
    }

    @Test
    void listSaysSoWhenThereAreNoCheckpointsOrNoFolder(@TempDir Path dir) throws Exception {
        CommandConsole.Output empty = run("list", "--dir", dir.toString());
        assertEquals(0, empty.status());
        assertEquals("No checkpoints in " + dir.toAbsolutePath() + ".\n", empty.out());

        Files.createDirectories(dir.resolve(".tmp-v000001-42"));
        CommandConsole.Output crashed = run("list", "--dir=" + dir);
        assertTrue(crashed.out().contains("1 unfinished write(s), not checkpoints"), crashed.out());
        assertTrue(crashed.out().contains(".tmp-v000001-42"), crashed.out());
        assertTrue(Files.exists(dir.resolve(".tmp-v000001-42")), "a reader cleans nothing up");

        CommandConsole.Output missing = run("list", "--dir", dir.resolve("absent").toString());
        assertEquals(1, missing.status());
        assertTrue(missing.err().contains("no checkpoint folder " + dir.resolve("absent").toAbsolutePath()),
                missing.err());
        assertTrue(missing.err().contains("trainer.checkpoint.dir"), missing.err());
    }

    @Test
    void aFolderNamedLikeACheckpointButIncompleteIsShownAsSuch(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("v000001"));
        Files.writeString(dir.resolve("v000001").resolve("model.safetensors"), "copied by hand");
        CommandConsole.Output list = run("list", "--dir", dir.toString());
        assertEquals(0, list.status(), list.err());
        assertTrue(list.out().contains("1  incomplete: lacks config.json, metadata.json, trainer-state.json"), list.out());
        CommandConsole.Output show = run("show", "1", "--dir", dir.toString());
        assertEquals(0, show.status(), show.err());
        assertTrue(show.out().contains("Incomplete: lacks config.json, metadata.json, trainer-state.json"), show.out());
        CommandConsole.Output latest = run("show", "latest", "--dir", dir.toString());
        assertEquals(1, latest.status());
        assertTrue(latest.err().contains("no complete checkpoint in"), latest.err());
        CommandConsole.Output export = run("export", "1", "--to", dir.resolve("out").toString(), "--dir", dir.toString());
        assertEquals(1, export.status());
        assertTrue(export.err().contains("lacks config.json"), export.err());
        assertFalse(Files.exists(dir.resolve("out")));
    }

    @Test
    void showPrintsStateMetadataConfigAndFiles() {
        CommandConsole.Output r = run("show", "2", "--dir", checkpoints.toString());
        assertEquals(0, r.status(), r.err());
        String out = r.out();
        assertTrue(out.startsWith("Checkpoint v000002 ("), out);
        assertTrue(out.matches("(?s).*\\n  policy_name\\s+demo\\n.*"), out);
        assertTrue(out.matches("(?s).*\\n  step\\s+4\\n.*"), out);
        assertTrue(out.matches("(?s).*\\n  created\\s+2024-11-24T10:42:48Z \\(1732444968000 ms\\)\\n.*"), out);
        assertTrue(out.matches("(?s).*\\n  consumed up to\\s+rl\\.training-batches-0@21\\n.*"), out);
        assertTrue(out.matches("(?s).*\\n  metric tokens\\s+100\\.0\\n.*"), out);
        assertTrue(out.matches("(?s).*\\n  model_type\\s+qwen3\\n.*"), out);
        assertTrue(out.matches("(?s).*\\n  hidden_size\\s+32\\n.*"), out);
        assertTrue(out.matches("(?s).*\\n  trainer\\.learningRate\\s+1\\.0E-4\\n.*"), out);
        assertTrue(out.matches("(?s).*\\n  trainer\\.aggregation\\s+TOKEN_MEAN\\n.*"), out);
        assertTrue(out.matches("(?s).*\\n  checkpoints_keep\\s+5\\n.*"), out);
        for (String file : List.of("metadata.json", "model.safetensors", "optimizer.safetensors",
                "trainer-config.json", "trainer-state.json", "total")) {
            assertTrue(out.matches("(?s).*\\n  " + file.replace(".", "\\.") + "\\s+\\d+(\\.\\d)? (B|KiB)\\n.*"),
                    file + " in\n" + out);
        }
        assertFalse(out.contains("No optimizer state"), out);
    }

    @Test
    void showLatestIsTheNewestAndSaysWhatAnOldCheckpointLacks() {
        CommandConsole.Output r = run("show", "latest", "--dir", checkpoints.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("Checkpoint v000003 ("), r.out());
        assertTrue(r.out().contains("Trainer config (trainer-config.json):\n  (none recorded)"), r.out());
        assertTrue(r.out().contains("No optimizer state"), r.out());
        assertEquals(r.out(), run("show", "v000003", "--dir", checkpoints.toString()).out());
    }

    @Test
    void aVersionThatDoesNotExistIsAnErrorListingThoseThatDo() {
        CommandConsole.Output r = run("show", "7", "--dir", checkpoints.toString());
        assertEquals(1, r.status());
        assertEquals("", r.out());
        assertTrue(r.err().contains("no checkpoint 7 in " + checkpoints.toAbsolutePath() + "; versions there: 1, 2, 3"),
                r.err());
        CommandConsole.Output export = run("export", "9", "--to", shared.resolve("never").toString(), "--dir", checkpoints.toString());
        assertEquals(1, export.status());
        assertTrue(export.err().contains("versions there: 1, 2, 3"), export.err());
        assertFalse(Files.exists(shared.resolve("never")));
    }

    @Test
    void anExportedPolicyLoadsAndAnswersLikeTheOriginal(@TempDir Path out) throws Exception {
        Path target = out.resolve("exported");
        CommandConsole.Output r = run("export", "latest", "--to", target.toString(), "--dir", checkpoints.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("model.safetensors"), r.out());
        assertTrue(r.out().contains("--model " + target.toAbsolutePath()), r.out());
        // the policy as a Hugging Face model folder, without the trainer's files
        assertEquals(List.of("config.json", "generation_config.json", "metadata.json", "model.safetensors",
                "tokenizer.json", "tokenizer_config.json"), names(target));
        try (Policy loaded = Policy.load(target)) {
            int[][] answers = loaded.greedy(PROMPTS, 4).stream().map(g -> g.tokens()).toArray(int[][]::new);
            for (int i = 0; i < answers.length; i++) {
                assertArrayEquals(newestAnswers[i], answers[i]);
            }
            for (Pair<String, Parameter> p : policy.parameters()) {
                assertArrayEquals(p.getValue().getArray().toFloatArray(),
                        loaded.parameters().get(p.getKey()).getArray().toFloatArray(), 0f, p.getKey());
            }
        }
    }

    @Test
    void exportAllTakesTheOptimizerStateTooAndAnEmptyFolderIsFine(@TempDir Path out) throws Exception {
        CommandConsole.Output r = run("export", "1", "--all", "--to", out.toString(), "--dir", checkpoints.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals(List.of("config.json", "generation_config.json", "metadata.json", "model.safetensors",
                "optimizer.safetensors", "tokenizer.json", "tokenizer_config.json", "trainer-config.json",
                "trainer-state.json"), names(out));
        assertEquals(1, CheckpointStore.readState(out).version());
        AdamW restored = AdamW.of(TrainerConfig.defaults(), null);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            restored.load(CheckpointStore.optimizerFile(out).orElseThrow(), manager);
            assertEquals(1, restored.steps());
        }
    }

    @Test
    void exportRefusesToWriteIntoAFolderThatHoldsSomething(@TempDir Path out) throws Exception {
        Files.writeString(out.resolve("notes.txt"), "mine");
        CommandConsole.Output r = run("export", "2", "--to", out.toString(), "--dir", checkpoints.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("refusing to write into " + out.toAbsolutePath()), r.err());
        assertEquals(List.of("notes.txt"), names(out));
    }

    @Test
    void helpExplainsEveryCommandAndBadUsageExitsWith2() {
        CommandConsole.Output help = run("--help");
        assertEquals(0, help.status());
        for (String word : List.of("list", "show", "export", "latest", "Hugging Face model folder", "vLLM")) {
            assertTrue(help.out().contains(word), word);
        }
        // each command its own page with its own flags
        String show = run("show", "--help").out();
        assertTrue(show.startsWith("Usage: rlstream checkpoints show") && show.contains("VERSION")
                && show.contains("--dir=DIR") && !show.contains("--to"), show);
        String export = run("export", "--help").out();
        assertTrue(export.startsWith("Usage: rlstream checkpoints export") && export.contains("--to=OUT")
                && export.contains("--all"), export);
        CommandConsole.Output typo = run("list", "--dirs", "x");
        assertEquals(2, typo.status());
        assertTrue(typo.err().startsWith("rlstream checkpoints list: unknown flag --dirs; did you mean --dir?"),
                typo.err());
        assertTrue(typo.err().contains("Run 'rlstream checkpoints list --help' for usage."), typo.err());
        for (String[] bad : List.of(new String[] {}, new String[] {"remove", "3"}, new String[] {"show"},
                new String[] {"show", "three"}, new String[] {"show", "1", "2"}, new String[] {"export", "1"},
                new String[] {"list", "--verbose"}, new String[] {"list", "--dir"}, new String[] {"list", "--all"},
                new String[] {"show", "1", "--to", "x"})) {
            CommandConsole.Output r = run(bad);
            assertEquals(2, r.status(), String.join(" ", bad));
            assertTrue(r.err().startsWith("rlstream checkpoints"), r.err());
            assertTrue(r.err().contains("--help"), r.err());
        }
        assertTrue(run("show", "three").err().contains("VERSION must be a number"));
    }

    private static List<String> names(Path folder) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
