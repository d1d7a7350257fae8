package io.rlstream.processors.filtration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BatchReweightingsTest {

    private static final double EPS = 1e-8; // verl's floor: w = max(w + 1e-8, 1e-8)
    private static final double TOL = 1e-15;

    @Test
    void powSquaresTheAbsoluteScoreByDefault() {
        // |1|^2 = 1, |-2|^2 = 4, |0|^2 = 0, |0.5|^2 = 0.25; each + 1e-8
        assertArrayEquals(new double[] {1 + EPS, 4 + EPS, EPS, 0.25 + EPS},
                BatchReweightings.FAMILY.create("pow", null).orElseThrow().weights(new double[] {1, -2, 0, 0.5}), TOL);
        assertEquals(2.0, ((PowReweighting) BatchReweightings.FAMILY.create("pow", null).orElseThrow()).power());
    }

    @Test
    void powTakesOtherPowers() {
        // p = 1: |s|; p = 0: |s|^0 = 1 everywhere, 0^0 included (torch.pow(0, 0) = 1) -> uniform
        assertArrayEquals(new double[] {1 + EPS, 2 + EPS, EPS, 0.5 + EPS},
                new PowReweighting(1).weights(new double[] {1, -2, 0, 0.5}), TOL);
        assertArrayEquals(new double[] {1 + EPS, 1 + EPS, 1 + EPS},
                new PowReweighting(0).weights(new double[] {3, -2, 0}), TOL);
    }

    @Test
    void powRefusesNegativeAndNonFinitePowers() {
        // |0|^-1 would be an infinite weight
        assertThrows(IllegalArgumentException.class, () -> new PowReweighting(-1));
        assertThrows(IllegalArgumentException.class, () -> new PowReweighting(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new PowReweighting(Double.POSITIVE_INFINITY));
    }

    @Test
    void maxMinWeighsEverySampleTiedAtTheBatchMaximumOrMinimum() {
        // max 1 at indices 1 and 3, min 0 at index 2 -> weight 1; 0.3 and 0.5 -> 0; each + 1e-8
        assertArrayEquals(new double[] {EPS, 1 + EPS, 1 + EPS, 1 + EPS, EPS},
                BatchReweightings.FAMILY.create("max_min", null).orElseThrow().weights(new double[] {0.3, 1, 0, 1, 0.5}), TOL);
    }

    @Test
    void maxRandomWeighsTheBatchMaximumFourTimesTheRest() {
        assertArrayEquals(new double[] {0.1 + EPS, 0.4 + EPS, 0.1 + EPS, 0.4 + EPS},
                BatchReweightings.FAMILY.create("max_random", null).orElseThrow().weights(new double[] {0.3, 1, 0, 1}), TOL);
    }

    @Test
    void equalScoresAreAllAtTheMaximum() {
        // every sample is both max and min: uniform weights
        double[] equal = {0.5, 0.5, 0.5};
        assertArrayEquals(new double[] {1 + EPS, 1 + EPS, 1 + EPS}, new MaxMinReweighting().weights(equal), TOL);
        assertArrayEquals(new double[] {0.4 + EPS, 0.4 + EPS, 0.4 + EPS}, new MaxRandomReweighting().weights(equal), TOL);
        assertEquals(0, new MaxMinReweighting().weights(new double[0]).length);
    }

    @Test
    void resampleInvertsTheCumulativeWeightsInDrawOrder() {
        // max_random on {0, 1, 0}: w = {0.1, 0.4, 0.1} (+1e-8 each), total 0.6.
        // u = nextDouble * total falls in [0, 0.1) -> 0, [0.1, 0.5) -> 1, [0.5, 0.6) -> 2,
        // i.e. nextDouble below 1/6 -> 0, below 5/6 -> 1, else 2.
        ScriptedRandom rng = ScriptedRandom.doublesOf(0.9, 0.0, 0.5, 0.1, 0.2, 0.999);
        int[] drawn = new MaxRandomReweighting().resample(new double[] {0, 1, 0}, 6, rng);
        assertArrayEquals(new int[] {2, 0, 1, 0, 1, 2}, drawn);
        assertTrue(rng.exhausted(), "one nextDouble per draw");
    }

    @Test
    void resampleFollowsTheWeightsInTheLongRun() {
        // pow on {1, 2}: w = {1, 4} -> P(1) = 4/5. 100 000 draws: sd of the count = sqrt(1e5 * 0.8 * 0.2) = 126;
        // ±1000 is ~8 sd
        int[] drawn = new PowReweighting().resample(new double[] {1, 2}, 100_000, new SplittableRandom(3));
        int ones = 0;
        for (int i : drawn) {
            ones += i;
        }
        assertEquals(80_000, ones, 1_000);
    }

    @Test
    void maxMinAlmostNeverDrawsTheMiddle() {
        // w = {1, 1e-8, 1}: P(middle) = 1e-8 / 2 per draw; in 10 000 draws expected 5e-5 times
        int[] drawn = new MaxMinReweighting().resample(new double[] {0, 0.5, 1}, 10_000, new SplittableRandom(5));
        int[] counts = new int[3];
        for (int i : drawn) {
            counts[i]++;
        }
        assertEquals(0, counts[1]);
        assertEquals(5_000, counts[0], 300); // sd 50
    }

    @Test
    void theFloorKeepsAnAllZeroPowBatchDrawable() {
        // pow on 0/1 rewards that are all 0: w = 1e-8 each, uniform; verl draws n = batch size
        int[] drawn = new PowReweighting().resample(new double[] {0, 0, 0, 0}, 4, new SplittableRandom(9));
        assertEquals(4, drawn.length);
        for (int i : drawn) {
            assertTrue(i >= 0 && i < 4);
        }
    }

    @Test
    void resampleRefusesWhatCannotBeDrawn() {
        BatchReweighting pow = new PowReweighting();
        SplittableRandom rng = new SplittableRandom(1);
        assertEquals(0, pow.resample(new double[0], 0, rng).length);
        assertThrows(IllegalArgumentException.class, () -> pow.resample(new double[] {1}, -1, rng));
        assertThrows(IllegalArgumentException.class, () -> pow.resample(new double[0], 1, rng));
        // 1e200^2 overflows to infinity: no distribution to draw from
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> pow.resample(new double[] {1e200, 1}, 1, rng));
        assertTrue(e.getMessage().contains("finite positive"), e.getMessage());
    }

    @Test
    void nonFiniteScoresAreRefused() {
        for (String name : BatchReweightings.FAMILY.names()) {
            if (name.equals(BatchReweightings.NONE)) {
                continue;
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BatchReweightings.FAMILY.create(name, null).orElseThrow().weights(new double[] {0, Double.NaN}), name);
            assertTrue(e.getMessage().contains("score 1 is NaN"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> BatchReweightings.FAMILY.create(name, null).orElseThrow().weights(new double[] {Double.NEGATIVE_INFINITY}), name);
        }
    }

    @Test
    void registryHasVerlsThreeMethodsAndNoneThatDoesNotResample() {
        assertEquals(List.of("none", "pow", "max_min", "max_random"), BatchReweightings.FAMILY.names());
        assertInstanceOf(PowReweighting.class, BatchReweightings.FAMILY.create("pow", null).orElseThrow());
        assertInstanceOf(MaxMinReweighting.class, BatchReweightings.FAMILY.create("max_min", null).orElseThrow());
        assertInstanceOf(MaxRandomReweighting.class, BatchReweightings.FAMILY.create("max_random", null).orElseThrow());
        // not reweighting is skipping the stage (verl's use_pf_ppo=False), not a reweighting that draws a random batch
        assertTrue(BatchReweightings.FAMILY.create("none", null).isEmpty());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> BatchReweightings.FAMILY.create("max-min", null));
        assertTrue(unknown.getMessage().contains("none, pow, max_min, max_random"), unknown.getMessage());
    }
}
