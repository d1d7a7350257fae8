package io.rlstream.trainer.service;

import io.rlstream.rollouts.TokenResolver;
import io.rlstream.tokens.Tokens;
import io.rlstream.events.PreferencePair;
import io.rlstream.monitoring.metrics.MetricCatalog;
import io.rlstream.monitoring.metrics.MetricName;
import io.rlstream.trainer.core.PreferenceSample;
import io.rlstream.trainer.core.PreferenceStats;
import io.rlstream.trainer.objective.PreferenceLoss;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/** preference mode: pairs from rl.preference-pairs, a fixed number per DPO/IPO/RPO step. */
final class PreferenceStepInput implements StepInput {

    private final int pairsPerStep;
    private final PreferenceLoss loss;
    private final List<PreferenceSample> pending = new ArrayList<>();
    private final int vocab;
    private final List<Long> offsets = new ArrayList<>();
    private long firstOffset = -1;
    private final TokenResolver resolver;

    /** Inline pairs only: a pair written by reference is a dead letter (tests that need no broker). */
    PreferenceStepInput(int pairsPerStep, PreferenceLoss loss, int vocab) {
        this(pairsPerStep, loss, vocab, RlStepInput.noRollouts());
    }

    /**
     * @param vocab    the policy's vocabulary size, which every token id must lie below
     * @param resolver fetches the tokens of pairs written by reference from rl.rollouts
     */
    PreferenceStepInput(int pairsPerStep, PreferenceLoss loss, int vocab, TokenResolver resolver) {
        this.pairsPerStep = pairsPerStep;
        this.loss = loss;
        this.vocab = vocab;
        this.resolver = resolver;
    }

    @Override
    public Class<? extends SpecificRecord> eventType() {
        return PreferencePair.class;
    }

    @Override
    public Optional<Step> add(SpecificRecord event, long offset) {
        // A pair written by reference gets its tokens from rl.rollouts first (one read of its two rollouts).
        TokenResolver.ResolvedPair resolved = resolver.resolve((PreferencePair) event);
        if (resolved.missing() != null) {
            throw new MissingRollouts("preference pair " + ((PreferencePair) event).getPromptId() + ": "
                    + resolved.missing(), resolved.missingRollouts());
        }
        PreferencePair pair = resolved.pair();
        // Pairs are independent records: an invalid one is a dead letter and the others train.
        String problem = InputChecks.preferencePair(pair, vocab);
        if (problem != null) {
            throw new IllegalArgumentException("invalid preference pair " + pair.getPromptId() + ": " + problem);
        }
        if (pending.isEmpty()) {
            firstOffset = offset;
        }
        pending.add(new PreferenceSample(Tokens.promptIds(pair), Tokens.chosenIds(pair),
                Tokens.rejectedIds(pair)));
        offsets.add(offset);
        if (pending.size() < pairsPerStep) {
            return Optional.empty();
        }
        List<PreferenceSample> pairs = List.copyOf(pending);
        List<Long> consumed = List.copyOf(offsets);
        pending.clear();
        offsets.clear();
        return Optional.of(new Step(List.of("pairs@" + firstOffset + ".." + offset), trainer -> {
            PreferenceStats stats = trainer.preferenceStep(pairs, loss);
            Map<MetricName, Double> m = new LinkedHashMap<>();
            m.put(MetricCatalog.TRAINER_LOSS, stats.loss());
            m.put(MetricCatalog.TRAINER_REWARD_ACCURACY, stats.rewardAccuracy());
            m.put(MetricCatalog.TRAINER_MARGIN_MEAN, stats.meanMargin());
            m.put(MetricCatalog.TRAINER_GRAD_NORM, stats.gradNorm());
            m.put(MetricCatalog.TRAINER_PAIRS, (double) pairs.size());
            return m;
        }, consumed));
    }

    /** A pair whose rollouts are gone from rl.rollouts: a dead letter, counted as trainer.rollouts_missing. */
    static final class MissingRollouts extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final int rollouts;

        MissingRollouts(String message, int rollouts) {
            super(message);
            this.rollouts = rollouts;
        }

        int rollouts() {
            return rollouts;
        }
    }
}
