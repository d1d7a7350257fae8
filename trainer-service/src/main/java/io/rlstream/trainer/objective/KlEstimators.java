package io.rlstream.trainer.objective;

import io.rlstream.algorithm.AlgorithmFamily;

/**
 * The estimators of KL(π_θ ‖ π_ref) by name, as {@code trainer.kl.estimator} names them; each is a
 * constant of {@link KlEstimator}. Adding one is a constant there plus one line here (and its test).
 */
public final class KlEstimators {

    private static final String SCHULMAN = "Schulman 2020, Approximating KL divergence; verl kl_penalty ";

    /** Every estimator; d = log π_θ(o_t) − log π_ref(o_t), clamped to ±20. */
    public static final AlgorithmFamily<Void, KlEstimator> FAMILY =
            AlgorithmFamily.<Void, KlEstimator>builder("KL estimators", "trainer.kl.estimator",
                            "estimate KL(pi_theta || pi_ref) per token from the sampled tokens' log-probabilities",
                            "kl-estimators")
                    .add("k1", "d", SCHULMAN + "\"kl\"", KlEstimator.class, o -> KlEstimator.K1)
                    .add("k2", "d^2 / 2", SCHULMAN + "\"mse\"", KlEstimator.class, o -> KlEstimator.K2)
                    .add("k3", "exp(-d) + d - 1, clamped to ±10", SCHULMAN + "\"low_var_kl\"", KlEstimator.class,
                            o -> KlEstimator.K3)
                    .build();

    private KlEstimators() {
    }
}
