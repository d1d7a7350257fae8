package io.rlstream.processors.filtration;

import io.rlstream.algorithm.AlgorithmFamily;

/**
 * PF-PPO filtration strategies by name, as {@code filter.pf-ppo} names them (arXiv 2409.06957).
 * Adding one is one class plus one line here (and its test). The order is the one reports list
 * strategies in (none, best-of-n, best-random, best-worst).
 */
public final class PolicyFiltrations {

    /** Every strategy; none of them has options. */
    public static final AlgorithmFamily<Void, PolicyFiltration> FAMILY =
            AlgorithmFamily.<Void, PolicyFiltration>builder("PF-PPO strategies", "filter.pf-ppo",
                            "choose which samples of a scored group are trained on, by reward", "pf-ppo-strategies")
                    .add(KeepAll.NAME, "keep every sample", "plain PPO/GRPO (PF-PPO's baseline)", KeepAll.class,
                            o -> new KeepAll())
                    .add(BestOfN.NAME, "keep argmax_i r_i", "Zhang et al. 2024 (PF-PPO, BoN), arXiv 2409.06957",
                            BestOfN.class, o -> new BestOfN())
                    .add(BestRandom.NAME, "keep argmax_i r_i and one other sample drawn uniformly",
                            "Zhang et al. 2024 (PF-PPO, BR), arXiv 2409.06957", BestRandom.class, o -> new BestRandom())
                    .add(BestWorst.NAME, "keep argmax_i r_i and argmin_i r_i",
                            "Zhang et al. 2024 (PF-PPO, BW), arXiv 2409.06957", BestWorst.class, o -> new BestWorst())
                    .build();

    private PolicyFiltrations() {
    }
}
