package io.rlstream.producers.prompts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.rlstream.events.Prompt;
import org.junit.jupiter.api.Test;

class PromptLineParserTest {

    private final PromptLineParser parser = new PromptLineParser("arith");

    @Test
    void readsAllFields() throws Exception {
        Prompt p = parser.parse("{\"prompt_id\":\"a-1\",\"text\":\"37+48=\",\"answer\":\"85\",\"task\":\"addition\"}", 3);
        assertEquals("a-1", p.getPromptId());
        assertEquals("37+48=", p.getText());
        assertEquals("85", p.getReferenceAnswer());
        assertEquals("addition", p.getTask());
        assertEquals("arith", p.getDataset());
        assertEquals("3", p.getMetadata().get("line"));
    }

    @Test
    void idDefaultsToDatasetAndLineAndNumericAnswerIsText() throws Exception {
        Prompt p = parser.parse("{\"text\":\"1+1=\",\"answer\":2}", 12);
        assertEquals("arith:12", p.getPromptId());
        assertEquals("2", p.getReferenceAnswer());
        assertNull(parser.parse("{\"text\":\"hi\"}", 1).getReferenceAnswer());
    }

    @Test
    void badLinesSayWhichLineAndWhatIsWrong() {
        assertEquals("line 4: missing required field 'text'",
                assertThrows(PromptLineParser.MalformedLineException.class, () -> parser.parse("{\"answer\":\"1\"}", 4)).getMessage());
        assertEquals("line 5: field 'text' must be a string, got ARRAY",
                assertThrows(PromptLineParser.MalformedLineException.class, () -> parser.parse("{\"text\":[1]}", 5)).getMessage());
        assertEquals("line 6: expected a JSON object, got ARRAY",
                assertThrows(PromptLineParser.MalformedLineException.class, () -> parser.parse("[1,2]", 6)).getMessage());
        String notJson = assertThrows(PromptLineParser.MalformedLineException.class, () -> parser.parse("{text:", 7)).getMessage();
        assertEquals(true, notJson.startsWith("line 7: not valid JSON"), notJson);
    }
}
