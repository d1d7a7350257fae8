package io.rlstream.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.rlstream.model.folder.ModelFolder;
import io.rlstream.model.folder.ModelInit;
import io.rlstream.model.hf.DecoderArchitecture;
import io.rlstream.model.hf.DecoderConfig;
import io.rlstream.model.safetensors.Dtype;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ModelInit} with the real Qwen3 tokenizer (npm, see {@link NpmTokenizers}; skipped when not
 * installed): the model takes its vocabulary and special ids from tokenizer_config.json, and the
 * tokenizer files are copied byte for byte, so the folder renders Qwen3 chat prompts.
 */
class RealTokenizerModelInitTest {

    @TempDir
    Path tmp;

    @Test
    void aTinyQwen3WithTheRealTokenizer() throws Exception {
        Path source = NpmTokenizers.folder("qwen3");
        ModelInit init = new ModelInit(DecoderArchitecture.QWEN3, 1, 16, 2, 1, 32, 8, null, true, 1, Dtype.BF16);
        ModelFolder folder = init.write(source.toString(), tmp.resolve("q"));
        DecoderConfig c = folder.config();
        // Qwen3's tokenizer: 151,643 BPE ids + 26 added tokens; eos <|im_end|>, pad <|endoftext|>, no bos
        assertEquals(151_669, c.vocabSize());
        assertEquals(List.of(151_645), c.eosTokenIds());
        assertEquals(151_643, c.padTokenId());
        assertNull(c.bosTokenId());
        assertEquals("bfloat16", c.torchDtype());
        assertEquals(List.of(151_645), folder.generation().eosTokenIds());
        for (String name : List.of("tokenizer.json", "tokenizer_config.json")) {
            assertArrayEquals(Files.readAllBytes(source.resolve(name)), Files.readAllBytes(tmp.resolve("q").resolve(name)),
                    name);
        }
        try (HfTokenizer tok = folder.loadTokenizer()) {
            assertEquals(ChatFormat.QWEN3, tok.chatFormat());
        }
    }
}
