package io.rlstream.processors.curriculum;

import io.rlstream.algorithm.AlgorithmFamily;

/** The prompt selectors by name ({@code dispatch.selector}). Adding one: a class, a line here, its test. */
public final class PromptSelectors {

    /** Every selector, built from the {@code selector.*} settings. */
    public static final AlgorithmFamily<SelectorOptions, PromptSelector> FAMILY =
            AlgorithmFamily.<SelectorOptions, PromptSelector>builder("prompt selectors", "dispatch.selector",
                            "choose which prompt the dispatcher sends to generate next", "prompt-selectors")
                    .add(UniformSelector.NAME, "P(x) = 1/|pool|", "uniform sampling (the baseline)",
                            UniformSelector.class, o -> new UniformSelector())
                    .add(PassRateWindowSelector.NAME, "x with estimated pass rate in [lo, hi], a share explore unseen",
                            "AReaL (pass-rate filter 0.05..0.95), arXiv 2505.24298", PassRateWindowSelector.class,
                            o -> new PassRateWindowSelector(o.windowLo(), o.windowHi(), o.explore()))
                    .add(DifficultyPoolsSelector.NAME, "pool k with P proportional to w_k, then x uniform in it",
                            "prime-rl difficulty pools", DifficultyPoolsSelector.class,
                            o -> new DifficultyPoolsSelector(o.pools()))
                    .add(PclSelector.NAME, "of k*m candidates dispatch the m with smallest |V(x) - tau|",
                            "Prompt Curriculum Learning (PCL), arXiv 2510.01135", PclSelector.class,
                            o -> new PclSelector(new HashedNgramValueModel(o.valueModel()), o.pclCandidates(), o.pclTau()))
                    .build();

    private PromptSelectors() {
    }
}
