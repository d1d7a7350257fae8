package io.rlstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.ops.poison.BadRecords;
import io.rlstream.schemas.RegistrySerdes;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PipelineFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19's "100% of the corpus handled", on a real broker and registry: the whole loop in this
 * JVM, every kind of bad record on every input topic, one pass.
 */
class PoisonIT {

    private static final TopicCatalog CATALOG = new TopicCatalog("po.", 1);

    @Test
    void everyBadRecordOfTheCorpusIsHandledAndTheLoopGoesOn(@TempDir Path dir) throws Exception {
        try (PipelineFixture pipeline = PipelineFixture.start(CATALOG)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
            int code = PoisonCommand.inLoop(pipeline.bootstrapServers(), pipeline.registryUrl(), CATALOG, dir,
                    BadRecords.INPUT_TOPICS, Duration.ofSeconds(60), out);
            String table = bytes.toString(StandardCharsets.UTF_8);
            System.out.println(table);
            // the corpus's size, counted independently: 5 generic kinds on each of the 9 input topics, plus
            // the domain kinds (prompts 1, dispatch 4, rollouts 3, rewards 2, batches 7, checkpoints 2,
            // feedback 2, prompt stats 1)
            int expected = 5 * 9 + 1 + 4 + 3 + 2 + 7 + 2 + 2 + 1;
            assertTrue(table.contains("poison: " + expected + " of " + expected + " bad records handled (100%); PASS"),
                    table);
            assertEquals(0, code, table);
        }
    }
}
