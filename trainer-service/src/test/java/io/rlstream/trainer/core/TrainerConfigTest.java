package io.rlstream.trainer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Each wither changes its own field, keeps the thirteen others and validates like the constructor. */
class TrainerConfigTest {

    private static final TrainerConfig D = TrainerConfig.defaults();

    /** The defaults with the given values written out in full, field by field. */
    private static TrainerConfig defaultsWith(double learningRate, int warmupSteps, int decaySteps, double clipLow,
            double clipHigh, double dualClip, double gradClip, double weightDecay, int updatesPerBatch,
            String policyLoss, PolicyLoss.Aggregation aggregation, Objective objective) {
        return new TrainerConfig(learningRate, warmupSteps, decaySteps, clipLow, clipHigh, dualClip, gradClip,
                weightDecay, updatesPerBatch, D.temperature(), policyLoss, aggregation, D.maskTruncated(), objective);
    }

    @Test
    void eachWitherChangesOnlyItsField() {
        // the defaults: 1e-4, 10 warm-up, 300 decay, clips 0.2/0.28, dual clip 3, grad norm 1, no decay, 2 updates
        assertEquals(defaultsWith(1e-3, 10, 300, 0.2, 0.28, 3, 1, 0, 2, ClippedSurrogate.NAME,
                D.aggregation(), D.objective()), D.withLearningRate(1e-3));
        assertEquals(defaultsWith(1e-4, 0, 300, 0.2, 0.28, 3, 1, 0, 2, ClippedSurrogate.NAME,
                D.aggregation(), D.objective()), D.withWarmupSteps(0));
        assertEquals(defaultsWith(1e-4, 10, 0, 0.2, 0.28, 3, 1, 0, 2, ClippedSurrogate.NAME,
                D.aggregation(), D.objective()), D.withDecaySteps(0));
        assertEquals(defaultsWith(1e-4, 10, 300, 0.1, 0.5, 3, 1, 0, 2, ClippedSurrogate.NAME,
                D.aggregation(), D.objective()), D.withClip(0.1, 0.5));
        assertEquals(defaultsWith(1e-4, 10, 300, 0.2, 0.28, 1, 1, 0, 2, ClippedSurrogate.NAME,
                D.aggregation(), D.objective()), D.withDualClip(1));
        assertEquals(defaultsWith(1e-4, 10, 300, 0.2, 0.28, 3, 5, 0, 2, ClippedSurrogate.NAME,
                D.aggregation(), D.objective()), D.withGradClip(5));
        assertEquals(defaultsWith(1e-4, 10, 300, 0.2, 0.28, 3, 1, 0.01, 2, ClippedSurrogate.NAME,
                D.aggregation(), D.objective()), D.withWeightDecay(0.01));
        assertEquals(defaultsWith(1e-4, 10, 300, 0.2, 0.28, 3, 1, 0, 4, ClippedSurrogate.NAME,
                D.aggregation(), D.objective()), D.withUpdatesPerBatch(4));
        assertEquals(defaultsWith(1e-4, 10, 300, 0.2, 0.28, 3, 1, 0, 2, ClippedSurrogate.NAME,
                PolicyLoss.Aggregation.SEQ_MEAN_TOKEN_MEAN, D.objective()),
                D.withAggregation(PolicyLoss.Aggregation.SEQ_MEAN_TOKEN_MEAN));
        assertEquals(D, D.withPolicyLoss(ClippedSurrogate.NAME));
        assertEquals(D, D.withObjective(D.objective()));
    }

    @Test
    void withersValidateLikeTheConstructor() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> D.withLearningRate(0));
        assertTrue(e.getMessage().contains("learningRate must be > 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> D.withClip(1.0, 0.28));
        assertThrows(IllegalArgumentException.class, () -> D.withUpdatesPerBatch(0));
        assertThrows(IllegalArgumentException.class, () -> D.withPolicyLoss("no-such-loss"));
        assertThrows(IllegalArgumentException.class, () -> D.withObjective(null));
    }
}
