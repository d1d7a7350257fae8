package io.rlstream.trainer.objective;

import io.rlstream.algorithm.AlgorithmFamily;

/**
 * The preference losses by name, as {@code trainer.preference.loss} names them, built with β and α.
 * Adding one is a kind in {@link PreferenceLoss} plus one line here (and its test).
 */
public final class PreferenceLosses {

    /**
     * @param beta  β &gt; 0 of every preference loss
     * @param alpha α ≥ 0 of RPO's NLL term; ignored by the others
     */
    public record Weights(double beta, double alpha) {
    }

    /** Every preference loss; s = (log π(c) − log π_ref(c)) − (log π(r) − log π_ref(r)). */
    public static final AlgorithmFamily<Weights, PreferenceLoss> FAMILY =
            AlgorithmFamily.<Weights, PreferenceLoss>builder("preference losses", "trainer.preference.loss",
                            "learn from (chosen, rejected) pairs against a frozen reference policy", "preference-losses")
                    .add("dpo", "mean softplus(-beta*s)", "Rafailov et al. 2023 (DPO), arXiv 2305.18290",
                            PreferenceLoss.class, w -> new PreferenceLoss(PreferenceLoss.Kind.DPO, w.beta(), w.alpha()))
                    .add("ipo", "mean (s - 1/(2*beta))^2, s from length-averaged log-probabilities",
                            "Azar et al. 2023 (IPO), arXiv 2310.12036", PreferenceLoss.class,
                            w -> new PreferenceLoss(PreferenceLoss.Kind.IPO, w.beta(), w.alpha()))
                    .add("rpo", "DPO + alpha * mean(-log pi(c) / |c|)", "Pang et al. 2024 (RPO), arXiv 2404.19733",
                            PreferenceLoss.class, w -> new PreferenceLoss(PreferenceLoss.Kind.RPO, w.beta(), w.alpha()))
                    .build();

    private PreferenceLosses() {
    }
}
