package io.rlstream.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connector settings of {@code rlstream connect}: the same as the documented files in
 * ops/connect/ (so the files a user runs with connect-standalone.sh are the tested ones), --set
 * routing, and the commands' usage errors.
 */
class LakeConnectorsTest {

    static final LakeConnectors DEFAULTS = new LakeConnectors("127.0.0.1:9092", "http://127.0.0.1:8081/apis/registry/v2",
            Path.of("lake"), ConnectCommand.DEFAULT_TOPICS, Map.of());

    static Map<String, String> file(String name) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of("..", "ops", "connect", name))) {
            p.load(r);
        }
        Map<String, String> m = new TreeMap<>();
        p.forEach((k, v) -> m.put(k.toString(), v.toString()));
        return m;
    }

    /** The file equals the code's map, but for the one path the file can only show as a placeholder. */
    static void assertSame(Map<String, String> code, Map<String, String> file, String pathKey) {
        assertEquals(new TreeMap<>(code).keySet(), file.keySet(), "same keys");
        code.forEach((k, v) -> {
            if (!k.equals(pathKey)) {
                assertEquals(v, file.get(k), k);
            }
        });
    }

    @Test
    void theShippedPropertiesFilesAreTheSettingsTheCommandUses() throws IOException {
        assertSame(DEFAULTS.worker(), file("worker.properties"), "offset.storage.file.filename");
        assertSame(DEFAULTS.iceberg(), file("iceberg-sink.properties"), "iceberg.catalog.warehouse");
        assertSame(DEFAULTS.jsonl(), file("jsonl-sink.properties"), "jsonl.dir");
        assertTrue(DEFAULTS.iceberg().get("iceberg.catalog.warehouse").startsWith("file:/"));
        assertTrue(DEFAULTS.iceberg().get("iceberg.catalog.warehouse").matches("file:/.*/lake/iceberg/?"),
                DEFAULTS.iceberg().get("iceberg.catalog.warehouse"));
    }

    @Test
    void setKeysGoToTheirConnectorAndTheRestToBoth() {
        LakeConnectors lake = new LakeConnectors("b:9092", "http://r/apis/registry/v2", Path.of("/tmp/l"), List.of("rl.metrics"),
                Map.of("iceberg.catalog.type", "rest", "iceberg.catalog.uri", "http://catalog:8181",
                        "worker.offset.flush.interval.ms", "10000", "errors.tolerance", "none"));
        assertEquals("rest", lake.iceberg().get("iceberg.catalog.type"));
        assertEquals("http://catalog:8181", lake.iceberg().get("iceberg.catalog.uri"));
        assertFalse(lake.jsonl().containsKey("iceberg.catalog.uri"));
        assertEquals("10000", lake.worker().get("offset.flush.interval.ms"));
        assertFalse(lake.iceberg().containsKey("worker.offset.flush.interval.ms"));
        assertEquals("none", lake.iceberg().get("errors.tolerance"));
        assertEquals("none", lake.jsonl().get("errors.tolerance"));
        assertEquals("rl.metrics", lake.jsonl().get("topics"));
        assertEquals("/tmp/l/jsonl", lake.jsonl().get(JsonLinesSinkConnector.DIR));
    }

    @Test
    void usageErrorsSayWhatIsWrong(@TempDir Path dir) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertEquals(ConnectCommand.OK, ConnectCommand.run(List.of("--help"), o, e));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("--until-caught-up"));
        assertEquals(ConnectCommand.USAGE, ConnectCommand.run(List.of("--lakes", "x"), o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown flag --lakes"));
        assertEquals(ConnectCommand.USAGE, ConnectCommand.run(List.of("--no-iceberg", "--no-jsonl"), o, e));
        assertEquals(ConnectCommand.USAGE, ConnectCommand.run(List.of("--set", "novalue"), o, e));
        assertEquals(ConnectCommand.FAILED, LakeCommand.run(List.of("tables", "--lake", dir.toString()), o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no Iceberg warehouse at"), err.toString(StandardCharsets.UTF_8));
        assertEquals(ConnectCommand.USAGE, LakeCommand.run(List.of("head"), o, e));
    }
}
