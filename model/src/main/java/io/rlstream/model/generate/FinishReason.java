package io.rlstream.model.generate;

/** Why a completion ended (the names of vLLM's and OpenAI's {@code finish_reason}). */
public enum FinishReason {
    /** A stop token was sampled; it is the completion's last token. */
    STOP,
    /** The completion reached the maximum number of new tokens. */
    LENGTH;

    /** "stop" or "length". */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
