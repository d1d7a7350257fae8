package io.rlstream.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

/**
 * Schema evolution guard: every event schema must stay BACKWARD compatible with the committed
 * previous version under src/test/resources/compat/previous (consumers on the new schema read
 * records written with the old one), the registry's default rule. When a release changes schemas
 * compatibly, copy src/main/avro over the previous folder.
 */
class SchemaCompatibilityTest {

    private static final Path PREVIOUS = Path.of("src/test/resources/compat/previous");

    @Test
    void everyTopicValueSchemaIsBackwardCompatibleWithThePreviousVersion() throws IOException {
        Map<String, Schema> previous = parseAll(PREVIOUS);
        List<String> problems = new ArrayList<>();
        for (Topic topic : Topic.values()) {
            Schema current = SpecificData.get().getSchema(topic.valueType());
            Schema old = previous.get(current.getFullName());
            assertNotNull(old, "no previous version of " + current.getFullName() + " committed under " + PREVIOUS);
            var result = SchemaCompatibility.checkReaderWriterCompatibility(current, old);
            if (result.getType() != SchemaCompatibilityType.COMPATIBLE) {
                problems.add(current.getFullName() + ": " + result.getResult().getIncompatibilities());
            }
        }
        assertTrue(problems.isEmpty(), "schema changes break BACKWARD compatibility: " + problems);
    }

    @Test
    void theCheckCatchesARequiredFieldAddedWithoutDefault() {
        Schema old = SpecificData.get().getSchema(io.rlstream.events.Metric.class);
        String json = old.toString().replace("{\"name\":\"name\",",
                "{\"name\":\"unit\",\"type\":\"string\"},{\"name\":\"name\",");
        Schema changed = new Schema.Parser().parse(json);
        assertEquals(SchemaCompatibilityType.INCOMPATIBLE,
                SchemaCompatibility.checkReaderWriterCompatibility(changed, old).getType());
    }

    @Test
    void everySchemaFieldIsDocumented() throws IOException {
        for (Schema schema : parseAll(Path.of("src/main/avro")).values()) {
            assertNotNull(schema.getDoc(), schema.getFullName() + " has no doc");
            if (schema.getType() == Schema.Type.RECORD) {
                for (Schema.Field f : schema.getFields()) {
                    assertFalse(f.doc() == null || f.doc().isBlank(), schema.getFullName() + "." + f.name() + " has no doc");
                }
            }
        }
    }

    /**
     * Asserts that the current schema and a previous one can each read what the other wrote, by
     * Avro's rules: new readers of old records (BACKWARD) and old readers of new ones (FORWARD).
     */
    static void assertCompatibleBothWays(Schema current, Schema previous, String what) {
        assertEquals(SchemaCompatibilityType.COMPATIBLE,
                SchemaCompatibility.checkReaderWriterCompatibility(current, previous).getType(), what + " BACKWARD");
        assertEquals(SchemaCompatibilityType.COMPATIBLE,
                SchemaCompatibility.checkReaderWriterCompatibility(previous, current).getType(), what + " FORWARD");
    }

    /**
     * Parses a folder of .avsc files, shared types (common/) first, as the build does; among them
     * enums first, then records by name (RolloutSummary uses FinishReason, SampleStatus and
     * RolloutPosition).
     */
    static Map<String, Schema> parseAll(Path root) throws IOException {
        Schema.Parser parser = new Schema.Parser();
        Map<String, Schema> byName = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(p -> p.toString().endsWith(".avsc"))
                    .sorted(java.util.Comparator.comparing((Path p) -> !p.getParent().endsWith("common"))
                            .thenComparing(p -> !isEnum(p))
                            .thenComparing(p -> p.getFileName().toString()))
                    .toList();
        }
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                Schema s = parser.parse(in);
                byName.put(s.getFullName(), s);
            }
        }
        return byName;
    }

    private static boolean isEnum(Path file) {
        try {
            return Files.readString(file).replaceAll("\\s", "").startsWith("{\"type\":\"enum\"");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
