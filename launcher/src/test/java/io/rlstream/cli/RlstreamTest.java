package io.rlstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RlstreamTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Rlstream.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void helpListsEveryCommand() {
        assertEquals(0, run("--help"));
        String text = out.toString(StandardCharsets.UTF_8);
        for (String command : List.of("demo", "rewards", "worker", "processors", "dispatcher", "trainer", "prompts", "platform", "config",
                "replay", "algorithms", "advantages", "pf-ppo r2", "bench processors", "bench trainer", "checkpoints list|show|export", "reward check", "connect", "lake tables|count|head")) {
            assertTrue(text.contains("  " + command), "help mentions " + command);
        }
    }

    @Test
    void unknownCommandAndUnknownFlagAreUsageErrors() {
        assertEquals(2, run("tarin"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown command 'tarin'"));
        assertEquals(2, run("demo", "--minuts", "3"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown flag --minuts"));
    }

    @Test
    void configPrintsTheDocumentedSettingsOfAService() {
        assertEquals(0, run("config", "trainer"));
        String table = out.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("| `trainer.learning.rate` | double | `" + io.rlstream.trainer.core.TrainerConfig.defaults().learningRate() + "` |"), table);
        assertTrue(table.contains("| `bootstrap.servers` |"), table);
    }

    @Test
    void invalidSettingIsRejectedBeforeAnythingStarts() {
        assertEquals(2, run("trainer", "--set", "trainer.checkpoints.keep=0"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("trainer.checkpoints.keep"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void promptsWithoutFileExplainsWhatIsNeeded() {
        assertEquals(2, run("prompts"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("prompts needs --file FILE"));
    }

    @Test
    void replayNeedsANewIdAndItsOwnTopics() {
        assertEquals(2, run("replay"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--application-id"), err.toString(StandardCharsets.UTF_8));
        assertEquals(2, run("replay", "--application-id", "r1", "--output-prefix", "rl."));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("prefix of the live topics"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void offlineToolsAnswerHelpAndRejectUnknownSubcommands() {
        assertEquals(0, run("advantages", "--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("rloo"));
        assertEquals(2, run("pf-ppo", "r3"));
        assertEquals(2, run("bench", "generators"));
        assertEquals(0, run("checkpoints", "--help"));
    }
}
