package io.rlstream.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The chat formats against prompts rendered from the real templates by an independent Jinja
 * implementation (@huggingface/jinja, golden.json; needs no npm install).
 */
class ChatFormatTest {

    static List<ChatMessage> messages(JsonObject chat) {
        List<ChatMessage> out = new ArrayList<>();
        for (JsonElement e : chat.getAsJsonArray("messages")) {
            JsonObject m = e.getAsJsonObject();
            out.add(new ChatMessage(m.get("role").getAsString(), m.get("content").getAsString()));
        }
        return out;
    }

    static Boolean enableThinking(JsonObject chat) {
        return chat.has("enable_thinking") ? chat.get("enable_thinking").getAsBoolean() : null;
    }

    private static List<JsonObject> chats(String name) {
        List<JsonObject> out = new ArrayList<>();
        NpmTokenizers.golden(name).getAsJsonArray("chats").forEach(e -> out.add(e.getAsJsonObject()));
        return out;
    }

    @Test
    void qwen3MatchesTheRealTemplate() {
        List<JsonObject> chats = chats("qwen3");
        assertEquals(11, chats.size());
        for (JsonObject chat : chats) {
            String rendered = ChatFormat.QWEN3.render(messages(chat), null,
                    chat.get("add_generation_prompt").getAsBoolean(), enableThinking(chat));
            assertEquals(chat.get("text").getAsString(), rendered, chat.get("name").getAsString());
        }
    }

    @Test
    void plainChatMlMatchesQwen3WhereQwen3AddsNoThinkBlocks() {
        Set<String> same = Set.of("user, generation prompt", "system and user, generation prompt",
                "user and thinking on explicitly", "two turns, generation prompt", "a later system message");
        int checked = 0;
        for (JsonObject chat : chats("qwen3")) {
            if (same.contains(chat.get("name").getAsString())) {
                assertEquals(chat.get("text").getAsString(), ChatFormat.CHATML.render(messages(chat), null,
                        chat.get("add_generation_prompt").getAsBoolean(), null), chat.get("name").getAsString());
                checked++;
            }
        }
        assertEquals(same.size(), checked);
        assertEquals("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think>\nx\n</think>\n\nyo<|im_end|>\n",
                ChatFormat.CHATML.render(List.of(ChatMessage.user("hi"),
                        ChatMessage.assistant("<think>\nx\n</think>\n\nyo")), null, false, null));
    }

    @Test
    void llama3MatchesTheRealTemplate() {
        List<JsonObject> chats = chats("llama3");
        assertEquals(4, chats.size());
        String suffix = "<|start_header_id|>assistant<|end_header_id|>\n\n";
        for (JsonObject chat : chats) {
            boolean prompt = chat.get("add_generation_prompt").getAsBoolean();
            String expected = chat.get("text").getAsString();
            String name = chat.get("name").getAsString();
            // the packaged (first) Llama 3 template appends the assistant header whatever is asked
            assertEquals(expected, ChatFormat.LLAMA3_ALWAYS_PROMPT.render(messages(chat), "<|begin_of_text|>",
                    prompt, null), name);
            String conditional = ChatFormat.LLAMA3.render(messages(chat), "<|begin_of_text|>", prompt, null);
            assertEquals(prompt ? expected : expected.substring(0, expected.length() - suffix.length()),
                    conditional, name);
        }
    }

    @Test
    void unknownTemplatesAreAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChatFormat.recognise("{% for m in messages %}{{ m.content }}{% endfor %}"));
        assertTrue(e.getMessage().contains("Qwen3") && e.getMessage().contains("Llama 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ChatFormat.recognise(null));
        assertEquals(ChatFormat.LLAMA3, ChatFormat.forName("Llama3"));
        assertThrows(IllegalArgumentException.class, () -> ChatFormat.forName("mistral"));
        assertThrows(IllegalArgumentException.class, () -> new ChatMessage("tool", "x"));
        assertThrows(IllegalArgumentException.class, () -> ChatFormat.QWEN3.render(List.of(), null, true, null));
        assertThrows(IllegalArgumentException.class,
                () -> ChatFormat.LLAMA3.render(List.of(ChatMessage.user("x")), null, true, null));
    }

    @Test
    void pythonStringSemantics() {
        assertArrayEquals(new String[] {"a", "b", ""}, ChatFormat.splitAll("a</think>b</think>", "</think>"));
        assertArrayEquals(new String[] {"abc"}, ChatFormat.splitAll("abc", "</think>"));
        assertEquals("x\n", ChatFormat.lstrip("\n\nx\n", '\n'));
        assertEquals("\nx", ChatFormat.rstrip("\nx\n\n", '\n'));
        assertEquals("a b", ChatFormat.pythonStrip("\u00a0\t a b\u2003\n"));
        // the reasoning is what lies between the last <think> before the first </think> and it
        assertEquals("<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n<think>\nr2\n</think>\n\nz<|im_end|>\n",
                ChatFormat.QWEN3.render(List.of(ChatMessage.user("q"),
                        ChatMessage.assistant("<think>r1<think>\nr2\n</think>y</think>\nz")), null, false, null));
    }
}
