package io.rlstream.model.tokenizer;

import java.util.Objects;
import java.util.Set;

/**
 * One message of a chat: role {@code system}, {@code user} or {@code assistant}, and its text.
 * An assistant message may carry Qwen3 reasoning inline ({@code <think>...</think>} before the
 * answer), as transformers' chat templates take it.
 */
public record ChatMessage(String role, String content) {

    public static final Set<String> ROLES = Set.of("system", "user", "assistant");

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        if (!ROLES.contains(role)) {
            throw new IllegalArgumentException("chat role '" + role + "' is not supported (system, user, assistant)");
        }
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }
}
