package io.rlstream.producers.rendering;

import io.rlstream.events.PromptDispatch;
import io.rlstream.model.tokenizer.ChatMessage;
import io.rlstream.model.tokenizer.HfTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * The token ids a model is given for a dispatched prompt, as transformers would make them.
 *
 * <ul>
 *   <li>Chat messages: rendered with the tokenizer's chat template and the generation prompt
 *       ({@code tokenizer.apply_chat_template(messages, add_generation_prompt=True)}), e.g. for Qwen3
 *       {@code <|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n}; {@code enableThinking} is
 *       Qwen3's {@code enable_thinking} (null: the template's default, thinking on).</li>
 *   <li>Plain text: encoded with the tokenizer's special tokens ({@code tokenizer(text)}: whatever
 *       tokenizer.json's post-processor adds), so a Llama 3.1 prompt starts with
 *       {@code <|begin_of_text|>}, the demo's with {@code <bos>}, and a Qwen prompt (or one of the first
 *       Llama 3 release, whose tokenizer.json adds no BOS) gets nothing added.</li>
 * </ul>
 * {@link ChatTemplateUse} can force either way. A prompt that cannot be rendered (a chat template
 * that is not supported, a role the renderers do not know, text the tokenizer cannot encode, an id
 * the model has no embedding for, no tokens at all) throws {@link IllegalArgumentException} saying
 * why: the worker turns it into FAILED rollouts of that group, as for any prompt it cannot encode.
 *
 * <p>Holds no native resource of its own; the tokenizer is the caller's to close.
 */
public final class PromptRenderer {

    private final HfTokenizer tokenizer;
    private final ChatTemplateUse use;
    private final Boolean enableThinking;
    private final int modelVocabSize;

    /**
     * @param modelVocabSize the model's vocab_size (its embedding rows): every id must be below it;
     *     0 to accept every id of the tokenizer
     */
    public PromptRenderer(HfTokenizer tokenizer, ChatTemplateUse use, Boolean enableThinking, int modelVocabSize) {
        this.tokenizer = tokenizer;
        this.use = use;
        this.enableThinking = enableThinking;
        this.modelVocabSize = modelVocabSize;
    }

    /** The prompt ids of a dispatched group: its messages, or its prompt text when it has none. */
    public int[] render(PromptDispatch dispatch) {
        return render(dispatch.getPromptText(), dispatch.getMessages());
    }

    /**
     * The prompt ids of {@code text} or, when not null, {@code messages}.
     *
     * @throws IllegalArgumentException when the prompt cannot be rendered for this model
     */
    public int[] render(String text, List<io.rlstream.events.ChatMessage> messages) {
        int[] ids;
        if (messages != null && use != ChatTemplateUse.NEVER) {
            ids = chat(convert(messages));
        } else if (use == ChatTemplateUse.ALWAYS) {
            ids = chat(List.of(ChatMessage.user(text)));
        } else {
            try {
                ids = tokenizer.encode(text, true);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("the tokenizer cannot encode the prompt text: " + e.getMessage(), e);
            }
        }
        if (ids.length == 0) {
            throw new IllegalArgumentException("the prompt renders to no tokens");
        }
        if (modelVocabSize > 0) {
            for (int id : ids) {
                if (id < 0 || id >= modelVocabSize) {
                    throw new IllegalArgumentException("the prompt has token id " + id + ", outside the model's vocabulary of "
                            + modelVocabSize + " (is the tokenizer the model's own?)");
                }
            }
        }
        return ids;
    }

    private int[] chat(List<ChatMessage> messages) {
        String rendered;
        try {
            rendered = tokenizer.renderChat(messages, true, enableThinking);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot render the chat prompt: " + e.getMessage(), e);
        }
        try {
            return tokenizer.encode(rendered);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the tokenizer cannot encode the rendered chat prompt: " + e.getMessage(), e);
        }
    }

    private static List<ChatMessage> convert(List<io.rlstream.events.ChatMessage> messages) {
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("the prompt's chat has no messages");
        }
        List<ChatMessage> out = new ArrayList<>(messages.size());
        for (io.rlstream.events.ChatMessage m : messages) {
            if (!ChatMessage.ROLES.contains(m.getRole())) {
                throw new IllegalArgumentException("cannot render the chat prompt: role '" + m.getRole()
                        + "' is not supported by the chat renderers (" + String.join(", ", ChatMessage.ROLES.stream().sorted().toList())
                        + ")");
            }
            out.add(new ChatMessage(m.getRole(), m.getContent()));
        }
        return out;
    }
}
