package io.rlstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.ops.poison.BadRecords;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PipelineFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
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

    /**
     * The check is not vacuous: against topics no service reads, nothing is handled but the one
     * legal record (the tombstone deleting a prompt), no good record is processed, a /health that
     * answers 503 is reported dead, an empty checkpoint folder fails, and the exit status is 1.
     */
    @Test
    void withoutServicesNothingIsHandledAndTheRunFails(@TempDir Path dir) throws Exception {
        TopicCatalog catalog = new TopicCatalog("pz.", 1);
        HttpServer health = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        health.createContext("/health", exchange -> {
            byte[] body = "the trainer thread ended".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(503, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        health.start();
        try (PipelineFixture pipeline = PipelineFixture.start(catalog)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = PoisonCommand.run(List.of("--bootstrap-server", pipeline.bootstrapServers(), "--registry-url",
                    pipeline.registryUrl(), "--topic-prefix", "pz.", "--wait", "3", "--health",
                    "http://127.0.0.1:" + health.getAddress().getPort(), "--checkpoint-dir", dir.toString()),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            String table = out.toString(StandardCharsets.UTF_8);
            assertEquals(1, code, table + err);
            assertTrue(table.contains("poison: 1 of 67 bad records handled (1%); FAIL"), table);
            assertTrue(table.contains("pz.prompts           tombstone                    0@4       handled    none expected"),
                    table);
            assertTrue(table.contains("pz.training-batches  nan-logprob                  0@7       NOT        none"
                    + " [no dead letter from trainer]"), table);
            assertTrue(table.contains("good record on pz.training-batches (0@12): NOT processed: trained missing"),
                    table);
            assertTrue(table.contains("DEAD: HTTP 503 the trainer thread ended"), table);
            assertTrue(table.contains("weights: no checkpoint under " + dir), table);
        } finally {
            health.stop(0);
        }
    }
}
