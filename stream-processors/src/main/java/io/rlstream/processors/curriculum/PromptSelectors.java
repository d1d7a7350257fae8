package io.rlstream.processors.curriculum;

import java.util.List;

/** The prompt selectors by name ({@code dispatch.selector}). Adding one: a class, a case here, its test. */
public final class PromptSelectors {

    private PromptSelectors() {
    }

    public static List<String> names() {
        return List.of(UniformSelector.NAME, PassRateWindowSelector.NAME, DifficultyPoolsSelector.NAME, PclSelector.NAME);
    }

    public static PromptSelector create(String name, SelectorOptions o) {
        return switch (name) {
            case UniformSelector.NAME -> new UniformSelector();
            case PassRateWindowSelector.NAME -> new PassRateWindowSelector(o.windowLo(), o.windowHi(), o.explore());
            case DifficultyPoolsSelector.NAME -> new DifficultyPoolsSelector(o.pools());
            case PclSelector.NAME -> new PclSelector(new HashedNgramValueModel(o.valueModel()), o.pclCandidates(), o.pclTau());
            default -> throw new IllegalArgumentException("unknown prompt selector '" + name + "'; known: " + names());
        };
    }
}
