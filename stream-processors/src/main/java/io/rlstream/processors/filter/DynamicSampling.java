package io.rlstream.processors.filter;

/**
 * DAPO's dynamic sampling (arXiv 2503.14476, §3.2): keep a group only if its rewards are not all
 * equal (std > 0). A group whose samples were all right or all wrong has zero advantage under
 * group normalisation and contributes no gradient, only a smaller effective batch. The
 * dispatcher keeps generating until batches are full of informative groups.
 *
 * <p>A group with fewer than two usable samples has no contrast either and is dropped as
 * {@link Verdict#TOO_FEW_SAMPLES}, so the two causes are counted apart.
 */
public final class DynamicSampling implements GroupFilter {

    /** Registry-style name, as in batch stats and metrics. */
    public static final String NAME = "dynamic-sampling";

    @Override
    public Verdict judge(double[] rewards) {
        if (rewards.length < 2) {
            return Verdict.TOO_FEW_SAMPLES;
        }
        for (double r : rewards) {
            // Exact comparison: std > 0 exactly when some reward differs from the first.
            if (r != rewards[0]) {
                return Verdict.KEEP;
            }
        }
        return Verdict.EQUAL_REWARDS;
    }
}
