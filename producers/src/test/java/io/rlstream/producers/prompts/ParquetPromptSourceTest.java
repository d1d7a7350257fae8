package io.rlstream.producers.prompts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.rlstream.events.ChatMessage;
import io.rlstream.events.Prompt;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parquet files in verl's layout, read without Hadoop and mapped by the verl preset: both the file
 * parquet-avro writes and the schema pyarrow writes (no Avro schema inside, 3-level lists).
 */
class ParquetPromptSourceTest {

    @TempDir
    Path dir;

    // Two gsm8k-like rows as verl's gsm8k.py builds them, and one whose last message is the assistant's.
    static final List<VerlParquet.Row> ROWS = List.of(
            new VerlParquet.Row("openai/gsm8k", List.<String[]>of(new String[] {"user", "Natalia sold 48 clips. How many?"}),
                    "72", 0, "train"),
            new VerlParquet.Row("openai/gsm8k", List.of(new String[] {"system", "Be brief."},
                    new String[] {"user", "2+2?"}), "4", 1, "train"),
            new VerlParquet.Row("openai/gsm8k", List.of(new String[] {"user", "hi"}, new String[] {"assistant", "hello"}),
                    "0", 2, "train"));

    @Test
    void parquetAvroFileInVerlLayout() throws Exception {
        Path file = dir.resolve("train.parquet");
        VerlParquet.writeWithParquetAvro(file, ROWS);
        checkVerlRows(file);
    }

    @Test
    void pyarrowSchemaInVerlLayout() throws Exception {
        Path file = dir.resolve("train.parquet");
        VerlParquet.writeLikePyarrow(file, ROWS);
        checkVerlRows(file);
    }

    private void checkVerlRows(Path file) throws Exception {
        List<Prompt> prompts = new ArrayList<>();
        List<String> reports = new ArrayList<>();
        PromptRows.Counts counts;
        try (PromptSource source = PromptSource.open(file, PromptSource.Format.of(file))) {
            counts = PromptRows.each(source, new PromptMapper(FieldMapping.VERL, "train.parquet", source.unit()),
                    prompts::add, reports::add);
        }
        // Expected values: the rows above, through the verl preset's keys (FieldMapping.VERL).
        assertEquals(2, counts.good());
        assertEquals(Map.of(BadRowException.BAD_MESSAGES, 1L), counts.skipped());
        assertEquals(List.of("skipped row 3: the last message of 'prompt' is from the assistant; a prompt ends with the "
                + "turn the policy answers (user, tool or system)"), reports);

        Prompt first = prompts.get(0);
        assertEquals("0", first.getPromptId());
        assertEquals("Natalia sold 48 clips. How many?", first.getText());
        assertEquals(List.of(new ChatMessage("user", "Natalia sold 48 clips. How many?")), first.getMessages());
        assertEquals("72", first.getReferenceAnswer());
        assertEquals("openai/gsm8k", first.getDataset());
        assertEquals("math", first.getTask());
        assertEquals(Map.of("reward_model.style", "rule", "extra_info.split", "train", "row", "1"), first.getMetadata());

        Prompt second = prompts.get(1);
        assertEquals("1", second.getPromptId());
        assertEquals("2+2?", second.getText());
        assertEquals(List.of(new ChatMessage("system", "Be brief."), new ChatMessage("user", "2+2?")), second.getMessages());
        assertEquals("4", second.getReferenceAnswer());
    }

    @Test
    void aMissingGroundTruthIsAPromptWithoutAnswer() throws Exception {
        Path file = dir.resolve("open.parquet");
        VerlParquet.writeLikePyarrow(file, List.of(new VerlParquet.Row("chat", List.<String[]>of(new String[] {"user", "hi"}),
                null, 7, "test")));
        try (PromptSource source = PromptSource.open(file, PromptSource.Format.PARQUET)) {
            Prompt p = new PromptMapper(FieldMapping.VERL, "open.parquet", source.unit()).map(source.next().value(), 1);
            assertNull(p.getReferenceAnswer());
            assertEquals("7", p.getPromptId());
            assertNull(source.next());
        }
    }
}
