package io.rlstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.model.folder.ModelInit;
import io.rlstream.model.hf.DecoderArchitecture;
import io.rlstream.model.safetensors.Dtype;
import io.rlstream.testkit.CommandConsole;
import io.rlstream.testkit.TwoDigitTokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

class RlstreamTest {

    private final CommandConsole console = new CommandConsole();

    private int run(String... args) {
        return console.run(Rlstream::run, args);
    }

    @Test
    void helpListsEveryCommand() {
        assertEquals(0, run("--help"));
        String text = console.out();
        for (String command : List.of("demo", "rewards", "worker", "processors", "dispatcher", "trainer", "prompts", "platform", "config",
                "replay", "algorithms", "advantages", "pf-ppo r2", "bench processors", "bench trainer", "bench model", "checkpoints list|show|export", "reward check", "connect", "lake tables|count|head")) {
            assertTrue(text.contains("  " + command), "help mentions " + command);
        }
    }

    @Test
    void aCommandsHelpIsItsOwnPage() {
        assertEquals(0, run("demo", "--help"));
        String demo = console.out();
        assertTrue(demo.startsWith("Usage: rlstream demo "), demo);
        assertTrue(demo.contains("--generator=G") && demo.contains("--model=DIR"), demo);
        assertFalse(demo.contains("  rewards "), "not the other commands: " + demo);
        console.reset();
        assertEquals(0, run("trainer", "-h"));
        String trainer = console.out();
        assertTrue(trainer.startsWith("Usage: rlstream trainer ") && trainer.contains("--model=DIR"), trainer);
        assertFalse(trainer.contains("--minutes"), trainer);
    }

    @Test
    void unknownCommandAndUnknownFlagAreUsageErrors() {
        assertEquals(2, run("tarin"));
        assertTrue(console.err().contains("unknown command 'tarin'"));
        assertEquals(2, run("demo", "--minuts", "3"));
        assertTrue(console.err().contains("unknown flag --minuts; did you mean --minutes?"), console.err());
    }

    /** --generator takes local or serve; anything else stops the demo before the broker starts. */
    @Test
    void unknownGeneratorIsAUsageError() {
        assertEquals(2, run("demo", "--generator", "vllm"));
        assertTrue(console.err().contains("--generator: unknown generator 'vllm'; choose local or serve"), console.err());
        assertEquals(2, run("demo", "--generator"));
    }

    @Test
    void configPrintsTheDocumentedSettingsOfAService() {
        assertEquals(0, run("config", "trainer"));
        String table = console.out();
        assertTrue(table.contains("| `trainer.learning.rate` | double | `" + io.rlstream.trainer.core.TrainerConfig.defaults().learningRate() + "` |"), table);
        assertTrue(table.contains("| `bootstrap.servers` |"), table);
    }

    @Test
    void invalidSettingIsRejectedBeforeAnythingStarts() {
        assertEquals(2, run("trainer", "--set", "trainer.checkpoints.keep=0"));
        assertTrue(console.err().contains("trainer.checkpoints.keep"), console.err());
    }

    /** --model is checked before anything connects: a folder that is not a model is a usage error. */
    @Test
    void modelThatIsNotAModelFolderIsRejectedBeforeAnythingStarts(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        assertEquals(2, run("trainer", "--model", dir.resolve("absent").toString()));
        assertTrue(console.err().contains("is not a Hugging Face model folder"), console.err());
        assertEquals(2, run("worker", "--model", dir.toString()));
        assertTrue(console.err().contains("no config.json"), console.err());
        assertEquals(2, run("rewards", "--model", dir.toString()));
        assertTrue(console.err().contains("--model"), console.err());
    }

    /**
     * demo --model is checked before the broker starts: not a model folder, no tokenizer.json, or a
     * context too short for the task in the model's own tokens is a usage error. The limits come
     * from the tokenizer ({@link TwoDigitTokenizer}: prompts BOS a + b = are 5 tokens, answers at
     * most 2 + EOS, so 3 + 1 of slack = 4 response tokens; the demo's characters: 4 + 1 = 5).
     */
    @Test
    void demoModelIsCheckedBeforeAnythingStarts(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        assertEquals(2, run("demo", "--model", dir.resolve("absent").toString()));
        assertTrue(console.err().contains("--model " + dir.resolve("absent").toAbsolutePath()
                + " is not a Hugging Face model folder"), console.err());
        assertTrue(console.out().isEmpty() || !console.out().contains("run folder"), "nothing started: " + console.out());

        java.nio.file.Path model = dir.resolve("model");
        new ModelInit(DecoderArchitecture.LLAMA, 1, 16, 2, 2, 32, null, null, false, 1, Dtype.F32)
                .write(TwoDigitTokenizer.write(dir.resolve("tokenizer")).toString(), model);
        assertEquals(4, io.rlstream.demo.Demo.checkModel(model));
        java.nio.file.Path chars = dir.resolve("chars");
        new ModelInit(DecoderArchitecture.LLAMA, 1, 16, 2, 2, 32, null, null, false, 1, Dtype.F32)
                .write(ModelInit.DEMO_TOKENIZER, chars);
        assertEquals(5, io.rlstream.demo.Demo.checkModel(chars));

        java.nio.file.Path config = model.resolve("config.json");
        java.nio.file.Files.writeString(config, java.nio.file.Files.readString(config)
                .replaceAll("\"max_position_embeddings\": *\\d+", "\"max_position_embeddings\": 8"));
        assertEquals(2, run("demo", "--model", model.toString()));
        assertTrue(console.err().contains("the longest addition prompt (5 tokens) plus 4 response tokens exceeds its"
                + " context of 8"), console.err());

        java.nio.file.Files.delete(model.resolve("tokenizer.json"));
        assertEquals(2, run("demo", "--model", model.toString()));
        assertTrue(console.err().contains("has no tokenizer.json"), console.err());
    }

    @Test
    void promptsWithoutFileExplainsWhatIsNeeded() {
        assertEquals(2, run("prompts"));
        assertTrue(console.err().contains("Missing required option: '--file=FILE'"), console.err());
        console.reset();
        // its own page (PromptsCommand), not the global one
        assertEquals(0, run("prompts", "--help"));
        assertTrue(console.out().startsWith("Usage: rlstream prompts "), console.out());
        assertTrue(console.out().contains("--preset") && console.out().contains("--bootstrap-server"), console.out());
    }

    @Test
    void replayNeedsANewIdAndItsOwnTopics() {
        assertEquals(2, run("replay"));
        assertTrue(console.err().contains("--application-id"), console.err());
        assertEquals(2, run("replay", "--application-id", "r1", "--output-prefix", "rl."));
        assertTrue(console.err().contains("prefix of the live topics"), console.err());
    }

    @Test
    void offlineToolsAnswerHelpAndRejectUnknownSubcommands() {
        assertEquals(0, run("advantages", "--help"));
        assertTrue(console.out().contains("rloo"));
        assertEquals(2, run("pf-ppo", "r3"));
        assertEquals(2, run("bench", "generators"));
        assertEquals(0, run("checkpoints", "--help"));
    }
}
