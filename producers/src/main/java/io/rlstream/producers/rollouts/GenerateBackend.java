package io.rlstream.producers.rollouts;

/** Who generates the worker's rollouts (worker setting {@code generate.backend}). */
public enum GenerateBackend {

    /** In-process DJL sampling with the policy's weights ({@link GroupSampler}). */
    LOCAL,

    /** An OpenAI-compatible server (vLLM) over POST /v1/completions. */
    OPENAI,

    /** An SGLang server over its native POST /generate. */
    SGLANG
}
