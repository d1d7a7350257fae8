package io.rlstream.model.folder;

import io.rlstream.model.tokenizer.CharTokenizer;
import io.rlstream.model.decoder.DecoderModel;
import io.rlstream.model.hf.DecoderArchitecture;
import io.rlstream.model.hf.DecoderConfig;
import io.rlstream.model.safetensors.Dtype;
import io.rlstream.model.tokenizer.HfTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A randomly initialised model of the given sizes in Hugging Face layout (for tests, demos and
 * smoke runs): {@code rlstream model init}. Weights are N(0, 0.02²) as transformers'
 * {@code initializer_range} (norms 1, biases 0) from a seeded Java {@code Random}
 * ({@link DecoderModel#create}); the vocabulary size is the tokenizer's (largest id + 1) unless
 * given; bos, eos and pad ids are the tokenizer's (tokenizer_config.json), written into config.json
 * and generation_config.json, so generation stops at the tokenizer's eos.
 *
 * @param headDim null for hidden / heads
 * @param vocabSize null for the tokenizer's size; never smaller than it
 */
public record ModelInit(DecoderArchitecture architecture, int layers, int hidden, int heads, int kvHeads,
                        int intermediate, Integer headDim, Integer vocabSize, boolean tieEmbeddings, long seed,
                        Dtype dtype) {

    /** The name that stands for the demo's character tokenizer instead of a folder. */
    public static final String DEMO_TOKENIZER = "demo";

    /** The config of this model with {@code tokenizer}'s vocabulary size and special ids. */
    public DecoderConfig config(HfTokenizer tokenizer) {
        int vocab = tokenizer.vocabSize();
        if (vocabSize != null && vocabSize < vocab) {
            throw new IllegalArgumentException("vocab_size " + vocabSize + " is smaller than the tokenizer's "
                    + vocab + " ids");
        }
        if (heads <= 0) {
            throw new IllegalArgumentException("num_attention_heads must be positive, got " + heads);
        }
        if (headDim == null && hidden % heads != 0) {
            throw new IllegalArgumentException("hidden_size " + hidden + " is not divisible by num_attention_heads "
                    + heads + " (give --head-dim)");
        }
        int dim = headDim == null ? hidden / heads : headDim;
        if (dim <= 0) {
            throw new IllegalArgumentException("head_dim must be positive, got " + dim);
        }
        // transformers' defaults for everything but the sizes (DecoderConfig.of), with head_dim set
        DecoderConfig base = DecoderConfig.of(architecture, vocabSize == null ? vocab : vocabSize, heads * dim,
                intermediate, layers, heads, kvHeads, tieEmbeddings);
        Integer eos = tokenizer.eosTokenId();
        return new DecoderConfig(architecture, base.vocabSize(), hidden, intermediate, layers, heads, kvHeads, dim,
                base.rmsNormEps(), base.ropeTheta(), base.ropeScaling(), tieEmbeddings, base.attentionBias(),
                base.maxPositionEmbeddings(), tokenizer.bosTokenId(), eos == null ? List.of() : List.of(eos),
                tokenizer.padTokenId(), base.torchDtype(), base.extra());
    }

    /**
     * Writes the model to {@code out} (atomically, {@link ModelFolder#write}) with the tokenizer of
     * {@code tokenizer}: a folder holding tokenizer.json, or {@value #DEMO_TOKENIZER} for the demo's
     * character tokenizer ({@link CharTokenizerFiles}).
     */
    public ModelFolder write(String tokenizer, Path out) throws IOException {
        Path staging = null;
        try {
            Path source;
            if (tokenizer.equals(DEMO_TOKENIZER)) {
                staging = Files.createTempDirectory("rlstream-demo-tokenizer");
                CharTokenizerFiles.write(CharTokenizer.arithmetic(), staging);
                source = staging;
            } else {
                source = Path.of(tokenizer);
            }
            DecoderConfig config;
            try (HfTokenizer tok = HfTokenizer.load(source)) {
                config = config(tok);
            }
            try (DecoderModel model = DecoderModel.create(config, seed)) {
                return ModelFolder.write(out, model, dtype, DecoderModel.DEFAULT_MAX_SHARD_BYTES,
                        TokenizerFiles.copyOf(source), null);
            }
        } finally {
            if (staging != null) {
                try (Stream<Path> walk = Files.walk(staging)) {
                    for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }
}
