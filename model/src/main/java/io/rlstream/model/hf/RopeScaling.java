package io.rlstream.model.hf;

/**
 * Llama 3's rotary frequency scaling ({@code rope_scaling} with {@code rope_type} "llama3", as in
 * Llama 3.1 and 3.2): wavelengths longer than {@code originalMaxPositionEmbeddings / lowFreqFactor}
 * are stretched by {@code factor}, shorter than {@code originalMaxPositionEmbeddings /
 * highFreqFactor} kept, and those in between interpolated (transformers'
 * {@code _compute_llama3_parameters}).
 */
public record RopeScaling(double factor, double lowFreqFactor, double highFreqFactor,
                          int originalMaxPositionEmbeddings) {

    public static final String LLAMA3 = "llama3";

    public RopeScaling {
        if (!(factor > 0) || !(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor)
                || originalMaxPositionEmbeddings <= 0) {
            throw new IllegalArgumentException("rope_scaling: need factor > 0, 0 < low_freq_factor < "
                    + "high_freq_factor and original_max_position_embeddings > 0, got factor " + factor
                    + ", low_freq_factor " + lowFreqFactor + ", high_freq_factor " + highFreqFactor
                    + ", original_max_position_embeddings " + originalMaxPositionEmbeddings);
        }
    }

    /**
     * Scales inverse frequencies {@code 1 / theta^(2i/d)} in place, as transformers'
     * {@code _compute_llama3_parameters} does (in double here; transformers computes in fp32).
     */
    public void apply(double[] invFreq) {
        double lowFreqWavelen = originalMaxPositionEmbeddings / lowFreqFactor;
        double highFreqWavelen = originalMaxPositionEmbeddings / highFreqFactor;
        for (int i = 0; i < invFreq.length; i++) {
            double wavelen = 2 * Math.PI / invFreq[i];
            if (wavelen > lowFreqWavelen) {
                invFreq[i] = invFreq[i] / factor;
            } else if (wavelen >= highFreqWavelen) {
                // medium frequencies: smooth interpolation between scaled and unscaled
                double smooth = (originalMaxPositionEmbeddings / wavelen - lowFreqFactor)
                        / (highFreqFactor - lowFreqFactor);
                invFreq[i] = (1 - smooth) * invFreq[i] / factor + smooth * invFreq[i];
            }
        }
    }
}
