package io.rlstream.reward.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlstream.testkit.CommandConsole;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code rlstream reward check}: JSONL in, each line back with score, status and what was extracted. */
class RewardCheckCommandTest {

    private final CommandConsole console = new CommandConsole();

    private int run(String input, String... args) {
        return console.run(RewardCheckCommand::run, input, args);
    }

    private List<JsonNode> lines() throws Exception {
        ObjectMapper json = new ObjectMapper();
        return console.out().lines().map(l -> {
            try {
                return json.readTree(l);
            } catch (Exception e) {
                throw new AssertionError(l, e);
            }
        }).toList();
    }

    @Test
    void eachLineComesBackScoredWithWhatWasExtracted() throws Exception {
        String input = """
                {"id": 1, "response": "So the total is \\\\boxed{\\\\frac{3}{4}}.", "answer": "0.75"}
                {"id": 2, "response": "The answer is 12.", "answer": "13"}

                {"id": 3, "response": "I don't know", "answer": null}
                """;
        assertEquals(0, run(input, "--verifier", "math"));
        List<JsonNode> lines = lines();
        assertEquals(3, lines.size(), "the blank line is skipped");
        assertEquals(1, lines.get(0).get("id").asInt(), "other fields are kept");
        assertEquals("OK", lines.get(0).get("status").asText());
        assertEquals(1.0, lines.get(0).get("score").asDouble());
        assertEquals(1.0, lines.get(0).get("components").get("correctness").asDouble());
        assertEquals(0.0, lines.get(1).get("score").asDouble());
        // no reference answer: the check cannot be made; FAILED with a reason and no score, never 0
        assertEquals("FAILED", lines.get(2).get("status").asText());
        assertTrue(lines.get(2).get("score").isNull());
        assertTrue(lines.get(2).get("reason").asText().length() > 0);
    }

    @Test
    void componentsFollowTheConfiguredComposition() throws Exception {
        String input = "{\"response\": \"<answer>85</answer>\", \"answer\": \"85\", \"tokens\": 18}\n";
        assertEquals(0, run(input, "--verifier", "numeric-exact", "--set",
                "reward.components=correctness=1.0,format=0.1,overlong=1.0", "--set", "reward.overlong.max-length=20",
                "--set", "reward.overlong.buffer=4"));
        JsonNode line = lines().get(0);
        // 1.0·1 + 0.1·1 + 1.0·((20 − 4 − 18) / 4 = −0.5) = 0.6
        assertEquals(0.6, line.get("score").asDouble(), 1e-12);
        assertEquals(-0.5, line.get("components").get("overlong").asDouble(), 1e-12);
    }

    @Test
    void badLinesAreReportedWithTheirNumberAndSkipped() throws Exception {
        String input = "not json\n{\"answer\": \"1\"}\n{\"response\": \"1\", \"answer\": \"1\"}\n";
        assertEquals(1, run(input, "--verifier", "numeric-exact"));
        assertEquals(1, lines().size());
        String errors = console.err();
        assertTrue(errors.contains("line 1: expected a JSON object"), errors);
        assertTrue(errors.contains("line 2: expected an object with a string \"response\""), errors);
    }

    @Test
    void flagsAreCheckedAndHelpHelps() {
        assertEquals(0, run("", "--help"));
        String help = console.out();
        assertTrue(help.startsWith("Usage: rlstream reward check"), help);
        assertTrue(help.contains("code-python"));
        assertTrue(help.contains("--verifier=NAME") && help.contains("--set=KEY=VALUE"), help);
        assertTrue(help.contains("numeric-exact"), "--verifier lists the verifiers: " + help);
        console.reset();
        assertEquals(2, run("", "--verifier", "telepathy"));
        assertTrue(console.err().contains("reward.verifier"), console.err());
        console.reset();
        assertEquals(2, run(""));
        assertTrue(console.err().contains("Missing required option: '--verifier=NAME'"), console.err());
        console.reset();
        assertEquals(2, run("", "--verifier", "math", "--sets", "reward.format.weight=1"));
        assertTrue(console.err().startsWith("rlstream reward check: unknown flag --sets; did you mean --set?"), console.err());
        assertTrue(console.err().contains("Run 'rlstream reward check --help' for usage."), console.err());
        assertEquals(2, run("", "--verifier", "reward-model"), "the reward model needs its URL");
    }
}
