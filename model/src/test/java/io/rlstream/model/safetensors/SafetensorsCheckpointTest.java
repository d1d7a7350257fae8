package io.rlstream.model.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsCheckpointTest {

    @TempDir
    Path dir;

    private static float[] ramp(int n, float start) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = start + i * 0.25f;
        }
        return a;
    }

    /** Five tensors of 64 B (F32, 16 elements) and one of 256 B, in state-dict order. */
    private SafetensorsWriter sixTensors(Dtype dtype) {
        return new SafetensorsWriter(dtype)
                .add("model.embed_tokens.weight", ramp(16, 0), 4, 4)
                .add("model.layers.0.mlp.up_proj.weight", ramp(16, 100), 4, 4)
                .add("model.layers.0.mlp.down_proj.weight", ramp(16, 200), 4, 4)
                .add("lm_head.weight", ramp(64, 300), 16, 4)
                .add("model.layers.1.mlp.up_proj.weight", ramp(16, 400), 4, 4)
                .add("model.norm.weight", ramp(16, 500), 16);
    }

    private List<String> files(Path d) throws Exception {
        try (var s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void smallCheckpointIsOneFile() throws Exception {
        List<Path> written = sixTensors(Dtype.F32).writeCheckpoint(dir, 1L << 20);
        assertEquals(List.of(dir.resolve("model.safetensors")), written);
        assertEquals(List.of("model.safetensors"), files(dir));
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
            assertEquals(6, c.names().size());
            assertEquals(5 * 64 + 256, c.totalBytes());
            assertArrayEquals(ramp(64, 300), c.floats("lm_head.weight"));
            assertEquals("pt", c.file("lm_head.weight").metadata().get("format"));
        }
        // a single file can be opened directly too
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir.resolve("model.safetensors"))) {
            assertArrayEquals(ramp(16, 500), c.floats("model.norm.weight"));
        }
    }

    @Test
    void shardsAboveTheLimitWithAnIndex() throws Exception {
        // limit 150 B, huggingface_hub's greedy split in state-dict order: embed + up0 (128 B) close
        // when down0 would tip them over; lm_head (256 B, over the limit) is emitted alone at once
        // while down0's shard stays open; up1 joins down0; norm tips that shard and ends alone.
        List<Path> written = sixTensors(Dtype.F32).writeCheckpoint(dir, 150);
        assertEquals(List.of("model-00001-of-00004.safetensors", "model-00002-of-00004.safetensors",
                "model-00003-of-00004.safetensors", "model-00004-of-00004.safetensors",
                "model.safetensors.index.json"), files(dir));
        assertEquals(4, written.size());
        JsonObject index = JsonParser.parseString(Files.readString(dir.resolve("model.safetensors.index.json")))
                .getAsJsonObject();
        assertEquals(5 * 64 + 256, index.getAsJsonObject("metadata").get("total_size").getAsLong());
        JsonObject map = index.getAsJsonObject("weight_map");
        assertEquals("model-00001-of-00004.safetensors", map.get("model.embed_tokens.weight").getAsString());
        assertEquals("model-00001-of-00004.safetensors", map.get("model.layers.0.mlp.up_proj.weight").getAsString());
        assertEquals("model-00002-of-00004.safetensors", map.get("lm_head.weight").getAsString());
        assertEquals("model-00003-of-00004.safetensors", map.get("model.layers.0.mlp.down_proj.weight").getAsString());
        assertEquals("model-00003-of-00004.safetensors", map.get("model.layers.1.mlp.up_proj.weight").getAsString());
        assertEquals("model-00004-of-00004.safetensors", map.get("model.norm.weight").getAsString());
        // keys sorted, 2-space indent, trailing newline: json.dumps(index, indent=2, sort_keys=True) + "\n"
        String text = Files.readString(dir.resolve("model.safetensors.index.json"));
        assertTrue(text.startsWith("{\n  \"metadata\": {\n    \"total_size\": 576\n  },\n  \"weight_map\": {\n"
                + "    \"lm_head.weight\": \"model-00002-of-00004.safetensors\",\n"), text);
        assertTrue(text.endsWith("}\n"));

        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
            assertEquals(4, c.files().size());
            assertEquals(6, c.names().size());
            assertArrayEquals(ramp(16, 0), c.floats("model.embed_tokens.weight"));
            assertArrayEquals(ramp(64, 300), c.floats("lm_head.weight"));
            assertArrayEquals(ramp(16, 500), c.floats("model.norm.weight"));
            assertArrayEquals(new long[] {16, 4}, c.info("lm_head.weight").shape());
            assertEquals(576, c.totalBytes());
        }
    }

    @Test
    void bf16ShardsReadBackRounded() throws Exception {
        sixTensors(Dtype.BF16).writeCheckpoint(dir, 100);
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
            assertEquals(Dtype.BF16, c.info("model.norm.weight").dtype());
            float[] expected = ramp(64, 300);
            for (int i = 0; i < expected.length; i++) {
                expected[i] = FloatFormats.roundToBf16(expected[i]);
            }
            assertArrayEquals(expected, c.floats("lm_head.weight"));
            assertEquals(288, c.totalBytes());
        }
    }

    @Test
    void rewritingReplacesTheOtherLayout() throws Exception {
        sixTensors(Dtype.F32).writeCheckpoint(dir, 150);
        assertEquals(5, files(dir).size());
        sixTensors(Dtype.F32).writeCheckpoint(dir, 1 << 20);
        assertEquals(List.of("model.safetensors"), files(dir));
        sixTensors(Dtype.F32).writeCheckpoint(dir, 300);
        assertEquals(List.of("model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                "model-00003-of-00003.safetensors", "model.safetensors.index.json"), files(dir));
        sixTensors(Dtype.F32).writeCheckpoint(dir, 150);
        assertFalse(files(dir).contains("model-00001-of-00003.safetensors"));
        assertEquals(5, files(dir).size());
    }

    @Test
    void indexErrorsNameTheIndexAndTheTensor() throws Exception {
        sixTensors(Dtype.F32).writeCheckpoint(dir, 150);
        Path index = dir.resolve("model.safetensors.index.json");
        String text = Files.readString(index);

        Files.writeString(index, text.replace("\"model.norm.weight\"", "\"model.missing.weight\""));
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsCheckpoint.open(dir));
        assertTrue(e.getMessage().contains("weight_map puts tensor 'model.missing.weight' in "
                + "model-00004-of-00004.safetensors, which has no such tensor"), e.getMessage());

        Files.writeString(index, text.replace("\"model-00004-of-00004.safetensors\"", "\"model-00009-of-00009.safetensors\""));
        e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsCheckpoint.open(dir));
        assertTrue(e.getMessage().contains("'model.norm.weight' names 'model-00009-of-00009.safetensors', which does not exist"),
                e.getMessage());

        Files.writeString(index, text.replace("\"model-00004-of-00004.safetensors\"", "\"../model-00004-of-00004.safetensors\""));
        e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsCheckpoint.open(dir));
        assertTrue(e.getMessage().contains("not a file of the model folder"), e.getMessage());

        Files.writeString(index, "{\"metadata\": {}}");
        e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsCheckpoint.open(dir));
        assertTrue(e.getMessage().contains("no weight_map object"), e.getMessage());

        Files.delete(index);
        assertThrows(NoSuchFileException.class, () -> SafetensorsCheckpoint.open(dir));
    }
}
