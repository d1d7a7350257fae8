package io.rlstream.producers.prompts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlstream.events.ChatMessage;
import io.rlstream.events.Prompt;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Field mappings, presets and the reasons a row is skipped, on rows written out by hand. */
class PromptMapperTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Prompt map(FieldMapping mapping, String row) throws Exception {
        return new PromptMapper(mapping, "d.jsonl", "line").map(JSON.readTree(row), 4);
    }

    private static BadRowException bad(FieldMapping mapping, String row) {
        return assertThrows(BadRowException.class, () -> map(mapping, row));
    }

    @Test
    void customKeysAndNestedPaths() throws Exception {
        FieldMapping m = FieldMapping.RLSTREAM.with(Map.of(FieldMapping.INPUT, "question", FieldMapping.LABEL, "meta.gold",
                FieldMapping.ID, "uid", FieldMapping.METADATA, "meta.level, source"));
        Prompt p = map(m, "{\"uid\": 17, \"question\": \"3*4=\", \"meta\": {\"gold\": \"12\", \"level\": 2}, \"source\": \"x\"}");
        assertEquals("17", p.getPromptId());
        assertEquals("3*4=", p.getText());
        assertNull(p.getMessages());
        assertEquals("12", p.getReferenceAnswer());
        assertEquals("d.jsonl", p.getDataset());
        assertEquals(Map.of("meta.level", "2", "source", "x", "line", "4"), p.getMetadata());
    }

    @Test
    void aFieldWhoseNameHasADotIsFoundAsAWhole() throws Exception {
        FieldMapping m = FieldMapping.OPENRLHF.with(Map.of(FieldMapping.LABEL, "answer.final"));
        assertEquals("5", map(m, "{\"input\": \"2+3=\", \"answer.final\": \"5\"}").getReferenceAnswer());
        assertEquals("6", map(m, "{\"input\": \"3+3=\", \"answer\": {\"final\": \"6\"}}").getReferenceAnswer());
    }

    @Test
    void noIdGivesDatasetAndLine() throws Exception {
        assertEquals("d.jsonl:4", map(FieldMapping.OPENRLHF, "{\"input\": \"hi\"}").getPromptId());
        // verl's index missing: the row number, not an error
        assertEquals("d.jsonl:4", map(FieldMapping.VERL, "{\"prompt\": [{\"role\": \"user\", \"content\": \"hi\"}]}")
                .getPromptId());
    }

    @Test
    void openRlhfInputMayBeChatMessages() throws Exception {
        Prompt p = map(FieldMapping.OPENRLHF, "{\"input\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, "
                + "{\"role\": \"user\", \"content\": \"1+1?\"}], \"label\": \"2\"}");
        assertEquals(List.of(new ChatMessage("system", "Be brief."), new ChatMessage("user", "1+1?")), p.getMessages());
        assertEquals("1+1?", p.getText());
        assertEquals("2", p.getReferenceAnswer());
    }

    @Test
    void badRowsSayWhereAndWhy() {
        FieldMapping m = FieldMapping.RLSTREAM.with(Map.of(FieldMapping.INPUT, "q", FieldMapping.LABEL, "a"));
        BadRowException missing = bad(m, "{\"a\": \"1\"}");
        assertEquals("line 4: missing required field 'q'", missing.getMessage());
        assertEquals(BadRowException.MISSING, missing.reason());
        BadRowException type = bad(m, "{\"q\": 12}");
        assertEquals("line 4: field 'q' must be a string or a list of {\"role\", \"content\"} messages, got NUMBER",
                type.getMessage());
        assertEquals(BadRowException.WRONG_TYPE, type.reason());
        assertEquals(BadRowException.WRONG_TYPE, bad(m, "{\"q\": \"x\", \"a\": [1]}").reason());
        BadRowException empty = bad(m, "{\"q\": \"\"}");
        assertEquals("line 4: field 'q' is empty", empty.getMessage());
        assertEquals(BadRowException.EMPTY, empty.reason());
        assertEquals(BadRowException.EMPTY, bad(m, "{\"q\": []}").reason());
        assertEquals(BadRowException.BAD_MESSAGES, bad(m, "{\"q\": [{\"role\": \"bot\", \"content\": \"x\"}]}").reason());
        assertEquals(BadRowException.UNREADABLE, bad(m, "[1]").reason());
    }

    @Test
    void presetThenFileThenFlags() throws Exception {
        Properties file = new Properties();
        file.load(new StringReader("input.key=problem\nlabel.key=solution\nid.key=\n"));
        FieldMapping m = FieldMapping.preset("verl").with(file).with(Map.of(FieldMapping.LABEL, "final"));
        assertEquals(new FieldMapping("problem", "", "final", "", "data_source", "ability",
                List.of("reward_model.style", "extra_info.split")), m);
        assertEquals("unknown mapping key 'input_key'; keys: input.key, messages.key, label.key, id.key, dataset.key, "
                + "task.key, metadata.keys", assertThrows(IllegalArgumentException.class,
                        () -> FieldMapping.RLSTREAM.with(Map.of("input_key", "x"))).getMessage());
        assertEquals("unknown preset 'trl'; presets: rlstream, verl, openrlhf",
                assertThrows(IllegalArgumentException.class, () -> FieldMapping.preset("trl")).getMessage());
    }

    @Test
    void aJsonArrayFileIsReadElementByElement() throws Exception {
        List<Prompt> prompts = new ArrayList<>();
        List<String> reports = new ArrayList<>();
        try (PromptSource source = JsonlPromptSource.of(new StringReader(
                "  [{\"input\": \"a\"},\n {\"input\": 3},\n {\"input\": \"c\"}]"))) {
            PromptRows.Counts c = PromptRows.each(source, new PromptMapper(FieldMapping.OPENRLHF, "f.json", source.unit()),
                    prompts::add, reports::add);
            assertEquals(2, c.good());
        }
        assertEquals(List.of("f.json:1", "f.json:3"), prompts.stream().map(Prompt::getPromptId).toList());
        assertEquals(List.of("skipped row 2: field 'input' must be a string or a list of {\"role\", \"content\"} messages, "
                + "got NUMBER"), reports);
    }
}
