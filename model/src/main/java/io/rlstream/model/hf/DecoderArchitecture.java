package io.rlstream.model.hf;

/**
 * The Hugging Face decoder families this project reads and writes, by {@code model_type}. They
 * share one layout (RMSNorm, rotary embeddings, grouped-query attention, SwiGLU MLP) and differ in
 * the attention projections' biases and Qwen3's per-head query/key norms.
 */
public enum DecoderArchitecture {
    /** Llama 2/3/3.1/3.2, SmolLM: biases on q/k/v/o only when {@code attention_bias}. */
    LLAMA("llama", "LlamaForCausalLM", 2048),
    /** Qwen2/2.5: q/k/v always have a bias, o_proj never. */
    QWEN2("qwen2", "Qwen2ForCausalLM", 32768),
    /** Qwen3: RMSNorm over head_dim on queries and keys before rope; biases when {@code attention_bias}. */
    QWEN3("qwen3", "Qwen3ForCausalLM", 32768);

    private final String modelType;
    private final String causalLmClass;
    private final int defaultMaxPositions;

    DecoderArchitecture(String modelType, String causalLmClass, int defaultMaxPositions) {
        this.modelType = modelType;
        this.causalLmClass = causalLmClass;
        this.defaultMaxPositions = defaultMaxPositions;
    }

    /** config.json's {@code model_type}. */
    public String modelType() {
        return modelType;
    }

    /** The transformers class named in config.json's {@code architectures}. */
    public String causalLmClass() {
        return causalLmClass;
    }

    /** transformers' default {@code max_position_embeddings} for this config class. */
    int defaultMaxPositions() {
        return defaultMaxPositions;
    }

    /** The architecture of a {@code model_type}, or null. */
    public static DecoderArchitecture ofModelType(String modelType) {
        for (DecoderArchitecture a : values()) {
            if (a.modelType.equals(modelType)) {
                return a;
            }
        }
        return null;
    }
}
