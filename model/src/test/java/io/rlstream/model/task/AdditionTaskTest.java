package io.rlstream.model.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.model.Generation;
import io.rlstream.model.folder.CharTokenizerFiles;
import io.rlstream.model.tokenizer.CharTokenizer;
import io.rlstream.model.tokenizer.HfTokenizer;
import io.rlstream.testkit.RealTokenizers;
import io.rlstream.testkit.TwoDigitTokenizer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdditionTaskTest {

    @TempDir
    Path dir;

    @Test
    void splitsAreDisjointCoverAllPairsAndAreStable() {
        AdditionTask task = AdditionTask.standard();
        assertEquals(500, task.heldOut().size());
        assertEquals(90 * 90 - 500, task.train().size());
        Set<String> ids = new HashSet<>();
        task.train().forEach(p -> ids.add(p.id()));
        task.heldOut().forEach(p -> assertTrue(ids.add(p.id()), "held-out " + p + " is in train"));
        assertEquals(90 * 90, ids.size());
        assertEquals(task.heldOut(), AdditionTask.standard().heldOut());
    }

    @Test
    void problemsSayWhatTheyAsk() {
        List<Problem> all = AdditionTask.standard().train();
        for (Problem p : all) {
            String[] operands = p.prompt().substring(0, p.prompt().length() - 1).split("\\+");
            int sum = Integer.parseInt(operands[0]) + Integer.parseInt(operands[1]);
            assertEquals(Integer.toString(sum), p.answer());
            assertEquals("add-" + operands[0] + "-" + operands[1], p.id());
        }
    }

    @Test
    void theDemoTokenizerGivesTheDemoLayout() throws Exception {
        CharTokenizerFiles.write(CharTokenizer.arithmetic(), dir);
        try (HfTokenizer tok = HfTokenizer.load(dir)) {
            Problem p = new Problem("add-37-48", "37+48=", "85");
            // CharTokenizer: BOS 1, digits 3 + d, '+' 13, '=' 14, EOS 2
            assertArrayEquals(new int[] {1, 6, 10, 13, 7, 11, 14}, AdditionTask.encodePrompt(tok, p));
            assertArrayEquals(new int[] {11, 8, 2}, AdditionTask.encodeTarget(tok, p, CharTokenizer.EOS));
            // BOS + "ab+cd=" = 7; three digits + EOS = 4, the constant the demo used
            assertEquals(7, AdditionTask.longestPromptTokens(tok));
            assertEquals(AdditionTask.MAX_RESPONSE_TOKENS, AdditionTask.maxResponseTokens(tok));
        }
    }

    /** Ids by {@link TwoDigitTokenizer}'s rules: digit d = 2 + d, two digits n = n + 2, '+' 0, '=' 1, BOS 103, EOS 104. */
    @Test
    void aTokenizerWithMultiCharacterTokensAndOtherSpecialIds() throws Exception {
        try (HfTokenizer tok = HfTokenizer.load(TwoDigitTokenizer.write(dir))) {
            Problem p = new Problem("add-37-48", "37+48=", "85");
            assertArrayEquals(new int[] {103, 39, 0, 50, 1}, AdditionTask.encodePrompt(tok, p));
            assertArrayEquals(new int[] {87, 104}, AdditionTask.encodeTarget(tok, p, TwoDigitTokenizer.EOS));
            // 99 + 99 = 198: "19", "8"
            Problem big = new Problem("add-99-99", "99+99=", "198");
            assertArrayEquals(new int[] {21, 10, 104}, AdditionTask.encodeTarget(tok, big, TwoDigitTokenizer.EOS));
            // every prompt is BOS, a, '+', b, '=': 5 tokens, not 7 characters; answers up to 2 tokens + EOS
            assertEquals(5, AdditionTask.longestPromptTokens(tok));
            assertEquals(3, AdditionTask.maxResponseTokens(tok));

            // exact match on the text before the stop token, whatever the stop id
            assertTrue(AdditionTask.isCorrect(generation(false, 87, 104), p, tok));
            assertTrue(AdditionTask.isCorrect(generation(false, 21, 10, 104), big, tok));
            assertFalse(AdditionTask.isCorrect(generation(true, 87, 104), p, tok), "cut at the limit");
            assertFalse(AdditionTask.isCorrect(generation(false, 88, 104), p, tok), "86");
            assertFalse(AdditionTask.isCorrect(generation(false, 87, 2, 104), p, tok), "8 5 0");
            assertFalse(AdditionTask.isCorrect(generation(false, 104), p, tok), "empty");
        }
    }

    /**
     * Qwen3's byte-level BPE (npm files; skipped where absent): its first 94 ids are the printable
     * ASCII characters '!'..'~' in order (GPT-2's bytes_to_unicode), so a character's id is its
     * code - 33; the pre-tokenizer isolates every digit (\p{N}); no BOS is added.
     */
    @Test
    void qwen3SplitsDigitsAndAddsNoBos() throws Exception {
        try (HfTokenizer tok = HfTokenizer.load(RealTokenizers.folder("qwen3"))) {
            Problem p = new Problem("add-37-48", "37+48=", "85");
            int[] expected = new int[6];
            for (int i = 0; i < 6; i++) {
                expected[i] = "37+48=".charAt(i) - 33;
            }
            assertArrayEquals(expected, AdditionTask.encodePrompt(tok, p));
            int imEnd = tok.eosTokenId(); // <|im_end|>, 151645
            assertEquals(151_645, imEnd);
            assertArrayEquals(new int[] {'8' - 33, '5' - 33, imEnd}, AdditionTask.encodeTarget(tok, p, imEnd));
            assertEquals(6, AdditionTask.longestPromptTokens(tok));
            assertEquals(4, AdditionTask.maxResponseTokens(tok));
            assertTrue(AdditionTask.isCorrect(generation(false, '8' - 33, '5' - 33, imEnd), p, tok));
        }
    }

    private static Generation generation(boolean truncated, int... tokens) {
        return new Generation(tokens, new float[tokens.length], truncated);
    }
}
