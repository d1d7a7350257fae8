package io.rlstream.model.folder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.rlstream.model.tokenizer.CharTokenizer;
import io.rlstream.model.task.AdditionTask;
import io.rlstream.model.task.Problem;
import io.rlstream.model.tokenizer.HfTokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's character vocabulary as Hugging Face tokenizer files, run by the Rust tokenizers
 * library (DJL's binding): the same ids as {@link CharTokenizer} on every addition problem.
 */
class CharTokenizerFilesTest {

    @TempDir
    Path dir;

    @Test
    void everyAdditionProblemEncodesAndDecodesAsTheCharTokenizer() throws Exception {
        CharTokenizer chars = CharTokenizer.arithmetic();
        CharTokenizerFiles.write(chars, dir);
        AdditionTask task = AdditionTask.standard();
        List<Problem> all = new ArrayList<>(task.train());
        all.addAll(task.heldOut());
        assertEquals(8_100, all.size());
        try (HfTokenizer tok = HfTokenizer.load(dir)) {
            for (Problem p : all) {
                assertArrayEquals(chars.encode(p.prompt()), tok.encode(p.prompt()), p.prompt());
                // with special tokens the post-processor puts BOS first: the prompt the policy sees
                int[] prompt = chars.encodePrompt(p.prompt());
                assertArrayEquals(prompt, tok.encode(p.prompt(), true), p.prompt());
                assertEquals(chars.decode(prompt), tok.decode(prompt, true), p.prompt());
                int[] answer = chars.encode(p.answer());
                int[] response = new int[answer.length + 1];
                System.arraycopy(answer, 0, response, 0, answer.length);
                response[answer.length] = CharTokenizer.EOS;
                assertArrayEquals(answer, tok.encode(p.answer()), p.answer());
                assertEquals(chars.decode(response), tok.decode(response, true), p.answer());
            }
            // every character of the alphabet, '-' included (no addition problem has it)
            assertArrayEquals(chars.encode("0123456789+=-"), tok.encode("0123456789+=-"));
            assertArrayEquals(new int[] {3, 15, 4}, tok.encode("0-1"));
        }
    }

    @Test
    void specialTokensAndSizesAreTheCharTokenizers() throws Exception {
        CharTokenizerFiles.write(CharTokenizer.arithmetic(), dir);
        try (HfTokenizer tok = HfTokenizer.load(dir)) {
            assertEquals(16, tok.vocabSize());
            assertEquals(CharTokenizer.BOS, tok.bosTokenId());
            assertEquals(CharTokenizer.EOS, tok.eosTokenId());
            assertEquals(CharTokenizer.PAD, tok.padTokenId());
            assertEquals(Set.of(0, 1, 2), tok.specialTokenIds());
            assertNull(tok.chatTemplate());
            // special tokens are kept by a plain decode and written in text they are recognised
            assertEquals("<bos>12<eos>", tok.decode(new int[] {1, 4, 5, 2}));
            assertArrayEquals(new int[] {1, 4, 5, 2}, tok.encode("<bos>12<eos>"));
        }
    }

    @Test
    void aCharacterOutsideTheAlphabetIsAnErrorNotAnUnknownId() throws Exception {
        CharTokenizerFiles.write(CharTokenizer.arithmetic(), dir);
        try (HfTokenizer tok = HfTokenizer.load(dir)) {
            for (String text : List.of("1 + 2", "a", "3*4")) {
                RuntimeException e = assertThrows(RuntimeException.class, () -> tok.encode(text), text);
                assertTrue(String.valueOf(e.getMessage()).toLowerCase().contains("unk"), e.getMessage());
            }
        }
    }

    /** What transformers' AutoTokenizer reads: a fast tokenizer class and the special tokens by text. */
    @Test
    void tokenizerConfigNamesTheFastTokenizerAndTheSpecialTokens() throws Exception {
        CharTokenizerFiles.write(CharTokenizer.arithmetic(), dir);
        JsonObject config = JsonParser.parseString(
                Files.readString(dir.resolve("tokenizer_config.json"), StandardCharsets.UTF_8)).getAsJsonObject();
        assertEquals("PreTrainedTokenizerFast", config.get("tokenizer_class").getAsString());
        assertEquals("<bos>", config.get("bos_token").getAsString());
        assertEquals("<eos>", config.get("eos_token").getAsString());
        assertEquals("<pad>", config.get("pad_token").getAsString());
        assertEquals("<eos>", config.getAsJsonObject("added_tokens_decoder").getAsJsonObject("2")
                .get("content").getAsString());
        JsonObject json = JsonParser.parseString(
                Files.readString(dir.resolve("tokenizer.json"), StandardCharsets.UTF_8)).getAsJsonObject();
        assertEquals("WordLevel", json.getAsJsonObject("model").get("type").getAsString());
        assertEquals(16, json.getAsJsonObject("model").getAsJsonObject("vocab").size());
        assertEquals(3, json.getAsJsonArray("added_tokens").size());
    }
}
