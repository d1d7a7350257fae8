package io.rlstream.producers.prompts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.ChatMessage;
import io.rlstream.events.Prompt;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PipelineFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rlstream prompts --file F} as a user runs it: a verl parquet file and a JSONL file with its
 * own keys go to rl.prompts on the real broker and registry and are read back; bad rows are
 * reported with line and reason; --dry-run needs no cluster; bad flags are usage errors.
 */
class PromptsCommandIT {

    /** One broker and registry for the class (a start costs seconds to minutes on a busy machine). */
    @RegisterExtension
    static final PipelineFixture PIPELINE = PipelineFixture.extension(new TopicCatalog("pc.", 1));

    @TempDir
    Path dir;

    /** The prompts on pc.prompts from one dataset (both tests write to the one topic). */
    static List<Prompt> promptsOf(String dataset) {
        return PIPELINE.readToEnd(Topic.PROMPTS, Prompt.class).stream().filter(p -> p.getDataset().equals(dataset)).toList();
    }

    static String[] cluster(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-server", PIPELINE.bootstrapServers(), "--registry-url", PIPELINE.registryUrl(),
                "--set", "topic.prefix=pc."));
        return all.toArray(String[]::new);
    }

    /** What a run printed and returned. */
    record Run(int status, String out, String err) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = PromptsCommand.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void verlParquetWithChatMessagesReachesTheTopic() throws Exception {
        Path file = dir.resolve("gsm8k-train.parquet");
        VerlParquet.writeWithParquetAvro(file, ParquetPromptSourceTest.ROWS);
        Run r = run(cluster("--file", file.toString(), "--preset", "verl"));
        assertEquals(1, r.status(), r.err());
        // ParquetPromptSourceTest.ROWS: rows 1 and 2 are prompts, row 3 ends with the assistant.
        assertEquals("skipped row 3: the last message of 'prompt' is from the assistant; a prompt ends with the turn "
                + "the policy answers (user, tool or system)\n", r.err());
        assertTrue(r.out().endsWith("produced 2 prompts to pc.prompts; skipped 1 (bad messages 1); 0 sends failed\n"),
                r.out());
        List<Prompt> prompts = promptsOf("openai/gsm8k");
        assertEquals(2, prompts.size());
        assertEquals(List.of("0", "1"), prompts.stream().map(Prompt::getPromptId).toList());
        assertEquals(List.of(new ChatMessage("system", "Be brief."), new ChatMessage("user", "2+2?")),
                prompts.get(1).getMessages());
        assertEquals(List.of("72", "4"), prompts.stream().map(Prompt::getReferenceAnswer).toList());
        assertEquals(List.of("openai/gsm8k", "openai/gsm8k"), prompts.stream().map(Prompt::getDataset).toList());
        assertEquals("math", prompts.get(0).getTask());
    }

    @Test
    void jsonlWithItsOwnKeysAndBadRows() throws Exception {
        Path file = dir.resolve("mine.jsonl");
        Files.writeString(file, """
                {"question":"1+2=","solution":"3"}
                {"question":"4+4=","solution":"8","id":"x"}
                {"solution":"5"}
                {"question":7,"solution":"7"}
                {"question":"","solution":"0"}
                {question: "not json"

                {"question":[{"role":"user","content":"9+9?"}],"solution":18}
                """);
        Run r = run(cluster("--file", file.toString(), "--input-key", "question", "--label-key", "solution"));
        assertEquals(1, r.status(), r.err());
        List<String> err = r.err().lines().toList();
        assertEquals(List.of(
                "skipped line 3: missing required field 'question'",
                "skipped line 4: field 'question' must be a string or a list of {\"role\", \"content\"} messages, got NUMBER",
                "skipped line 5: field 'question' is empty"), err.subList(0, 3));
        assertTrue(err.get(3).startsWith("skipped line 6: not valid JSON ("), err.get(3));
        assertEquals(4, err.size(), r.err());
        assertTrue(r.out().endsWith("produced 3 prompts to pc.prompts; skipped 4 (empty prompt 1, missing field 1, "
                + "unreadable 1, wrong type 1); 0 sends failed\n"), r.out());

        // The rlstream preset's id key is prompt_id, absent here: ids are <file name>:<line>; line 2's "id" is
        // not the id key. Line 8 is a chat in the input key, its number label read as text.
        List<Prompt> prompts = promptsOf("mine.jsonl");
        assertEquals(List.of("mine.jsonl:1", "mine.jsonl:2", "mine.jsonl:8"),
                prompts.stream().map(Prompt::getPromptId).toList());
        assertEquals(List.of("1+2=", "4+4=", "9+9?"), prompts.stream().map(Prompt::getText).toList());
        assertEquals(List.of("3", "8", "18"), prompts.stream().map(Prompt::getReferenceAnswer).toList());
        assertEquals(List.of(new ChatMessage("user", "9+9?")), prompts.get(2).getMessages());
        assertEquals(Map.of("line", "8"), prompts.get(2).getMetadata());
    }

    @Test
    void dryRunReadsAndReportsWithoutACluster() throws Exception {
        Path file = dir.resolve("train.parquet");
        VerlParquet.writeLikePyarrow(file, ParquetPromptSourceTest.ROWS);
        Path mapping = dir.resolve("mapping.properties");
        Files.writeString(mapping, "# my columns\nid.key=\n");
        long start = System.nanoTime();
        // Port 1 has no broker: a run that tried to connect would not finish in seconds.
        Run r = run("--file", file.toString(), "--preset", "verl", "--mapping", mapping.toString(), "--dry-run",
                "--bootstrap-server", "127.0.0.1:1", "--registry-url", "http://127.0.0.1:1/apis/registry/v2");
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(30).toNanos());
        assertEquals(1, r.status(), r.err());
        assertTrue(r.out().startsWith("reading " + file + " as parquet: input.key=prompt messages.key= "
                + "label.key=reward_model.ground_truth id.key= dataset.key=data_source"), r.out());
        // id.key emptied by the mapping file: the first id is <file name>:<row>.
        assertTrue(r.out().contains("first prompt: {\"prompt_id\": \"train.parquet:1\""), r.out());
        assertTrue(r.out().endsWith("dry run: 2 prompts would be produced; skipped 1 (bad messages 1)\n"), r.out());
    }

    @Test
    void usageErrorsExitTwoAndHelpExplains() throws Exception {
        Run unknown = run("--file", "x.jsonl", "--input_key", "q");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().startsWith("rlstream prompts: unknown flag --input_key; did you mean --input-key?"), unknown.err());
        assertTrue(unknown.err().contains("Run 'rlstream prompts --help' for usage."), unknown.err());

        assertEquals(2, run("--input-key", "q").status());
        Path file = dir.resolve("p.jsonl");
        Files.writeString(file, "{\"text\":\"hi\"}\n");
        Run preset = run("--file", file.toString(), "--preset", "trl", "--dry-run");
        assertEquals(2, preset.status());
        assertEquals("rlstream prompts: unknown preset 'trl'; presets: rlstream, verl, openrlhf\n", preset.err());
        Run format = run("--file", dir.resolve("missing.csv").toString());
        assertEquals(2, format.status());
        assertEquals("rlstream prompts: cannot read prompts file " + dir.resolve("missing.csv") + "\n", format.err());
        Path csv = dir.resolve("p.csv");
        Files.writeString(csv, "a,b\n");
        assertTrue(run("--file", csv.toString(), "--dry-run").err().contains("give --format jsonl or --format parquet"));

        Path mapping = dir.resolve("bad.properties");
        Files.writeString(mapping, "input_key=q\n");
        Run badMapping = run("--file", file.toString(), "--mapping", mapping.toString(), "--dry-run");
        assertEquals(2, badMapping.status());
        assertTrue(badMapping.err().startsWith("rlstream prompts: mapping file " + mapping + ": unknown mapping key 'input_key'"),
                badMapping.err());
        // --format overrides the extension: the .csv file read as JSON lines, its one line not JSON
        Run forced = run("--file", csv.toString(), "--format", "jsonl", "--dry-run");
        assertEquals(1, forced.status());
        assertTrue(forced.err().startsWith("skipped line 1: not valid JSON"), forced.err());

        Run help = run("--help");
        assertEquals(0, help.status());
        for (String flag : List.of("--file", "--format", "--preset", "--mapping", "--input-key", "--messages-key",
                "--label-key", "--id-key", "--dataset", "--dry-run", "--bootstrap-server", "--registry-url", "--set")) {
            assertTrue(help.out().contains(flag), flag + " missing from:\n" + help.out());
        }
    }
}
