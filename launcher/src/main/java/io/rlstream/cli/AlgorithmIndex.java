package io.rlstream.cli;

import io.rlstream.algorithm.AlgorithmFamily;
import io.rlstream.processors.advantage.AdvantageEstimators;
import io.rlstream.processors.curriculum.PromptSelectors;
import io.rlstream.processors.filter.GroupFilters;
import io.rlstream.processors.filtration.BatchReweightings;
import io.rlstream.processors.filtration.PolicyFiltrations;
import io.rlstream.reward.verify.Verifiers;
import io.rlstream.trainer.core.LossAggregations;
import io.rlstream.trainer.core.PolicyLosses;
import io.rlstream.trainer.objective.GroupObjectives;
import io.rlstream.trainer.objective.KlEstimators;
import io.rlstream.trainer.objective.OffPolicyCorrections;
import io.rlstream.trainer.objective.PreferenceLosses;
import java.util.List;

/**
 * Every family of named algorithms, in the order of docs/algorithms.md: the processors' estimators
 * and filters, the dispatcher's prompt selectors, the verifiers, the trainer's losses. The launcher
 * depends on every module, so this is the one place that sees them all; a new family is one line
 * here (and a section with its generated markers in docs/algorithms.md).
 */
public final class AlgorithmIndex {

    public static final List<AlgorithmFamily<?, ?>> FAMILIES = List.of(
            AdvantageEstimators.FAMILY,
            GroupFilters.FAMILY,
            PolicyFiltrations.FAMILY,
            BatchReweightings.FAMILY,
            PromptSelectors.FAMILY,
            Verifiers.FAMILY,
            PolicyLosses.FAMILY,
            LossAggregations.FAMILY,
            KlEstimators.FAMILY,
            OffPolicyCorrections.FAMILY,
            PreferenceLosses.FAMILY,
            GroupObjectives.FAMILY);

    private AlgorithmIndex() {
    }
}
