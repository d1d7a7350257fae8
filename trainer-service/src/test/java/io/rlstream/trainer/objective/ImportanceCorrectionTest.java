package io.rlstream.trainer.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.rlstream.trainer.objective.ImportanceCorrection.Level;
import io.rlstream.trainer.objective.ImportanceCorrection.Mode;
import org.junit.jupiter.api.Test;

/**
 * Two responses padded to 3 tokens; π_prox/π_behav per token:
 *
 * <pre>
 *   sequence 1:  0.25  1.5  3.0      product 0.25·1.5·3 = 1.125
 *   sequence 2:  0.8   6.0  (pad)    product 0.8·6     = 4.8
 * </pre>
 *
 * The padding token holds log π_prox = 0, log π_behav = −50: a ratio of e^50 that must count
 * nowhere.
 */
class ImportanceCorrectionTest extends PyTorchArrays {

    private NDArray behaviour() {
        return manager.create(new float[] {-1f, -2f, -3f, -1.5f, -4f, -50f}, new Shape(2, 3));
    }

    private NDArray prox() {
        float[] behaviour = behaviour().toFloatArray();
        double[] ratio = {0.25, 1.5, 3.0, 0.8, 6.0, Math.exp(50)};
        float[] prox = new float[6];
        for (int i = 0; i < 6; i++) {
            prox[i] = behaviour[i] + (float) Math.log(ratio[i]);
        }
        return manager.create(prox, new Shape(2, 3));
    }

    private NDArray mask() {
        return manager.create(new float[] {1, 1, 1, 1, 1, 0}, new Shape(2, 3));
    }

    private ImportanceCorrection.Weights weights(Mode mode, Level level, double lower,
            double upper) {
        return new ImportanceCorrection(mode, level, 2, lower, upper)
                .weights(prox(), behaviour(), mask());
    }

    @Test
    void tokenLevelWithoutBoundKeepsEveryRatio() {
        ImportanceCorrection.Weights w = weights(Mode.NONE, Level.TOKEN, 0.5, 5);
        assertArrayEquals(new float[] {0.25f, 1.5f, 3f, 0.8f, 6f, 0f},
                w.weights().toFloatArray(), 1e-5f);
        // mean over the 5 real tokens: (0.25 + 1.5 + 3 + 0.8 + 6)/5 = 11.55/5 = 2.31
        assertEquals(2.31, w.mean(), 1e-5);
        assertEquals(6, w.max(), 1e-5);
        assertEquals(0, w.fractionTruncated());
        assertEquals(0, w.fractionMasked());
    }

    @Test
    void tokenLevelTisCutsAtC() {
        ImportanceCorrection.Weights w = weights(Mode.TIS, Level.TOKEN, 0.5, 5);
        // 3 → 2 and 6 → 2: 2 of 5 tokens truncated; mean and max are of the ratios before
        assertArrayEquals(new float[] {0.25f, 1.5f, 2f, 0.8f, 2f, 0f},
                w.weights().toFloatArray(), 1e-5f);
        assertEquals(0.4, w.fractionTruncated(), 1e-6);
        assertEquals(0, w.fractionMasked());
        assertEquals(2.31, w.mean(), 1e-5);
        assertEquals(6, w.max(), 1e-5);
    }

    @Test
    void tokenLevelMisZeroesTokensOutsideTheWindow() {
        ImportanceCorrection.Weights w = weights(Mode.MIS, Level.TOKEN, 0.5, 5);
        // 0.25 < 0.5 and 6 > 5 are masked: 2 of 5; 1.5, 3 and 0.8 pass unchanged
        assertArrayEquals(new float[] {0f, 1.5f, 3f, 0.8f, 0f, 0f},
                w.weights().toFloatArray(), 1e-5f);
        assertEquals(0.4, w.fractionMasked(), 1e-6);
        assertEquals(0, w.fractionTruncated());
    }

    @Test
    void sequenceLevelMultipliesTheRatiosOfASequence() {
        ImportanceCorrection.Weights none = weights(Mode.NONE, Level.SEQUENCE, 0.5, 5);
        assertArrayEquals(new float[] {1.125f, 1.125f, 1.125f, 4.8f, 4.8f, 0f},
                none.weights().toFloatArray(), 1e-5f);
        // statistics over the 2 sequences: (1.125 + 4.8)/2 = 2.9625
        assertEquals(2.9625, none.mean(), 1e-5);
        assertEquals(4.8, none.max(), 1e-5);

        ImportanceCorrection.Weights tis = weights(Mode.TIS, Level.SEQUENCE, 0.5, 5);
        // 4.8 → 2: 1 of 2 sequences
        assertArrayEquals(new float[] {1.125f, 1.125f, 1.125f, 2f, 2f, 0f},
                tis.weights().toFloatArray(), 1e-5f);
        assertEquals(0.5, tis.fractionTruncated(), 1e-6);

        // window [0.5, 5] holds both products; [0.5, 4] drops all of sequence 2
        assertEquals(0, weights(Mode.MIS, Level.SEQUENCE, 0.5, 5).fractionMasked());
        ImportanceCorrection.Weights mis = weights(Mode.MIS, Level.SEQUENCE, 0.5, 4);
        assertArrayEquals(new float[] {1.125f, 1.125f, 1.125f, 0f, 0f, 0f},
                mis.weights().toFloatArray(), 1e-5f);
        assertEquals(0.5, mis.fractionMasked(), 1e-6);
    }

    @Test
    void sequenceLogRatioIsClampedAtTwenty() {
        // 3 tokens of log-ratio 10 sum to 30 → clamped to 20: max reports e^20, TIS gives C = 2;
        // the all-padding second row is no sequence and stays out of the statistics
        NDArray behaviour = manager.zeros(new Shape(2, 3));
        NDArray prox = manager.create(new float[] {10, 10, 10, 0, 0, 0}, new Shape(2, 3));
        NDArray mask = manager.create(new float[] {1, 1, 1, 0, 0, 0}, new Shape(2, 3));
        ImportanceCorrection.Weights w = new ImportanceCorrection(Mode.TIS, Level.SEQUENCE, 2, 0, 1)
                .weights(prox, behaviour, mask);
        assertArrayEquals(new float[] {2, 2, 2, 0, 0, 0}, w.weights().toFloatArray(), 0f);
        assertEquals(Math.exp(20), w.max(), Math.exp(20) * 1e-6);
        assertEquals(1.0, w.fractionTruncated(), 0);
    }

    @Test
    void offIsOneOnRealTokensWhateverTheRatios() {
        ImportanceCorrection.Weights w = ImportanceCorrection.off().weights(prox(), behaviour(), mask());
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 0}, w.weights().toFloatArray(), 0f);
        assertEquals(1, w.mean());
        assertEquals(1, w.max());
        // without behaviour log-probabilities at all
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 0},
                ImportanceCorrection.off().weights(null, null, mask()).weights().toFloatArray(), 0f);
    }

    @Test
    void onPolicyWeightsAreExactlyOne() {
        // π_prox = π_behav: exp(0) = 1 on every real token in every mode
        for (Mode mode : Mode.values()) {
            for (Level level : Level.values()) {
                ImportanceCorrection.Weights w = new ImportanceCorrection(mode, level, 2, 0.5, 5)
                        .weights(behaviour(), behaviour(), mask());
                assertArrayEquals(new float[] {1, 1, 1, 1, 1, 0}, w.weights().toFloatArray(), 0f,
                        mode + " " + level);
            }
        }
    }

    @Test
    void weightsAreConstants() {
        // d/d log π_prox of Σ w·log π_prox is w itself when w carries no gradient
        NDArray prox = prox();
        prox.setRequiresGradient(true);
        NDArray weights;
        try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
            weights = new ImportanceCorrection(Mode.TIS, Level.TOKEN, 2, 0.5, 5)
                    .weights(prox, behaviour(), mask()).weights();
            collector.backward(weights.mul(prox).sum());
        }
        assertArrayEquals(weights.toFloatArray(), prox.getGradient().toFloatArray(), 0f);
    }

    @Test
    void rejectsBoundsThatWouldTouchOnPolicyTokens() {
        IllegalArgumentException cap = assertThrows(IllegalArgumentException.class,
                () -> new ImportanceCorrection(Mode.TIS, Level.TOKEN, 0.5, 0.5, 5));
        assertTrue(cap.getMessage().contains("0.5"), cap.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new ImportanceCorrection(Mode.TIS, Level.TOKEN, Double.NaN, 0.5, 5));
        assertThrows(IllegalArgumentException.class,
                () -> new ImportanceCorrection(Mode.MIS, Level.TOKEN, 2, 1.2, 5));
        assertThrows(IllegalArgumentException.class,
                () -> new ImportanceCorrection(Mode.MIS, Level.TOKEN, 2, 0.5, 0.9));
        assertThrows(IllegalArgumentException.class,
                () -> new ImportanceCorrection(Mode.MIS, Level.TOKEN, 2, -1, 5));
        assertThrows(IllegalArgumentException.class,
                () -> new ImportanceCorrection(null, Level.TOKEN, 2, 0.5, 5));
        // bounds a mode does not use are not checked
        new ImportanceCorrection(Mode.NONE, Level.TOKEN, Double.NaN, Double.NaN, Double.NaN);
        IllegalArgumentException shapes = assertThrows(IllegalArgumentException.class,
                () -> new ImportanceCorrection(Mode.TIS, Level.TOKEN, 2, 0.5, 5)
                        .weights(prox(), behaviour().reshape(3, 2), mask()));
        assertTrue(shapes.getMessage().contains("(3, 2)"), shapes.getMessage());
    }
}
