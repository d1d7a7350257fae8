package io.rlstream.processors.filter;

import io.rlstream.algorithm.AlgorithmFamily;

/**
 * The group filters, as the {@code filter.group} setting names them: which completed groups go
 * on to training. Adding one is one class plus one line here (and its test).
 */
public final class GroupFilters {

    /** Every group filter; none of them has options. */
    public static final AlgorithmFamily<Void, GroupFilter> FAMILY =
            AlgorithmFamily.<Void, GroupFilter>builder("group filters", "filter.group",
                            "decide from its rewards whether a completed group is trained on", "group-filters")
                    .add(DynamicSampling.NAME, "keep the group iff std(r_usable) > 0 and at least 2 usable samples",
                            "Yu et al. 2025 (DAPO), arXiv 2503.14476, section 3.2", DynamicSampling.class,
                            o -> new DynamicSampling())
                    .add(NonEmpty.NAME, "keep the group iff it has a usable sample", "no filtering (plain GRPO/PPO)",
                            NonEmpty.class, o -> new NonEmpty())
                    .build();

    private GroupFilters() {
    }
}
