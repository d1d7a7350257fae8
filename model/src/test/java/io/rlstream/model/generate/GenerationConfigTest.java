package io.rlstream.model.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.rlstream.model.hf.DecoderArchitecture;
import io.rlstream.model.hf.DecoderConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerationConfigTest {

    @TempDir
    Path dir;

    /** In the shape of Qwen3-0.6B's generation_config.json (eos a list, sampling defaults). */
    static final String QWEN3 = """
            {
              "bos_token_id": 151643,
              "do_sample": true,
              "eos_token_id": [151645, 151643],
              "pad_token_id": 151643,
              "temperature": 0.6,
              "top_k": 20,
              "top_p": 0.95,
              "transformers_version": "4.51.0"
            }
            """;

    private static final DecoderConfig CONFIG = DecoderConfig.of(DecoderArchitecture.LLAMA, 40, 16, 24, 1, 4, 2, false)
            .withTokenIds(1, List.of(2), 0);

    @Test
    void readsEosListsAndSamplingDefaults() {
        GenerationConfig g = GenerationConfig.parse(QWEN3);
        assertEquals(List.of(151645, 151643), g.eosTokenIds());
        assertEquals(151643, g.padTokenId());
        SamplingParams p = g.samplingParams(CONFIG, 64);
        assertEquals(0.6, p.temperature());
        assertEquals(0.95, p.topP());
        assertEquals(20, p.topK());
        assertEquals(64, p.maxNewTokens());
        assertArrayEquals(new int[] {151645, 151643}, p.stopTokenIds());
    }

    @Test
    void anIntEosAndMissingFieldsFallBack() {
        GenerationConfig g = GenerationConfig.parse("{\"bos_token_id\": 1, \"eos_token_id\": 7}");
        assertEquals(List.of(7), g.eosTokenIds());
        assertNull(g.temperature());
        SamplingParams p = g.samplingParams(CONFIG, 5);
        assertEquals(1.0, p.temperature());
        assertEquals(1.0, p.topP());
        assertEquals(0, p.topK());
        assertArrayEquals(new int[] {7}, p.stopTokenIds());
        // no eos in the file: config.json's
        assertArrayEquals(new int[] {2}, GenerationConfig.parse("{}").samplingParams(CONFIG, 5).stopTokenIds());
    }

    @Test
    void aMissingFileIsEmptyAndWritingRoundTrips() throws Exception {
        assertEquals(GenerationConfig.empty(), GenerationConfig.read(dir));
        GenerationConfig g = GenerationConfig.parse(QWEN3);
        g.write(dir);
        String text = Files.readString(dir.resolve("generation_config.json"));
        assertEquals(g, GenerationConfig.read(dir));
        assertEquals(0, text.indexOf("{\n  \"bos_token_id\": 151643,\n  \"do_sample\": true,"));
    }

    @Test
    void rejectsWhatIsNotAConfig() {
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.parse("[1]"));
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.parse("{\"eos_token_id\": 1.5}"));
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.parse("{\"temperature\": \"hot\"}"));
    }
}
