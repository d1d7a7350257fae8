package io.rlstream.processors.advantage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry: every name builds an estimator that keeps the contract, and create() passes options on. */
class AdvantageEstimatorsTest {

    @Test
    void knowsTheEstimatorsOfAlgorithmsMd() {
        assertEquals(List.of("grpo", "grpo-batch-std", "drgrpo", "rloo", "reinforce-pp-baseline", "opo"),
                List.copyOf(AdvantageEstimators.FAMILY.names()));
        assertInstanceOf(Grpo.class, AdvantageEstimators.FAMILY.create("grpo", AdvantageOptions.defaults()));
        assertInstanceOf(GrpoBatchStd.class, AdvantageEstimators.FAMILY.create("grpo-batch-std", AdvantageOptions.defaults()));
        assertInstanceOf(DrGrpo.class, AdvantageEstimators.FAMILY.create("drgrpo", AdvantageOptions.defaults()));
        assertInstanceOf(Rloo.class, AdvantageEstimators.FAMILY.create("rloo", AdvantageOptions.defaults()));
        assertInstanceOf(ReinforcePlusPlusBaseline.class, AdvantageEstimators.FAMILY.create("reinforce-pp-baseline", AdvantageOptions.defaults()));
        assertInstanceOf(Opo.class, AdvantageEstimators.FAMILY.create("opo", AdvantageOptions.defaults()));
    }

    @Test
    void everyNameBuildsAnEstimatorThatKeepsTheContract() {
        GroupRewards mixed = new GroupRewards(new double[] {1, 0, 0.5}, new int[] {4, 2, 7});
        GroupRewards equal = new GroupRewards(new double[] {0.1, 0.1, 0.1}, new int[] {1, 2, 3});
        for (String name : AdvantageEstimators.FAMILY.names()) {
            AdvantageEstimator estimator = AdvantageEstimators.FAMILY.create(name, AdvantageOptions.defaults());
            assertFalse(AdvantageEstimators.FAMILY.entry(name).formula().isBlank(), name);
            assertEquals(3, estimator.advantages(mixed).length, name);
            assertEquals(0, estimator.advantages(GroupRewards.of()).length, name);
            // no signal in a unanimous group, whatever the estimator: exactly 0, in both stages
            List<float[]> batch = estimator.normalizeBatch(List.of(equal), List.of(estimator.advantages(equal)));
            assertArrayEquals(new float[3], batch.get(0), 0f, name);
            List<float[]> firstStage = new ArrayList<>(List.of(estimator.advantages(mixed)));
            assertEquals(3, estimator.normalizeBatch(List.of(mixed), firstStage).get(0).length, name);
        }
    }

    @Test
    void createPassesStdAndEpsilonToGrpo() {
        AdvantageEstimator grpo = AdvantageEstimators.FAMILY.create("grpo", new AdvantageOptions(Grpo.Std.POPULATION, 0));
        assertEquals(Grpo.Std.POPULATION, ((Grpo) grpo).std());
        assertEquals(0, ((Grpo) grpo).epsilon());
        // population std of (1,0,0,0) is sqrt(0.75/4) = sqrt(3)/4; A_0 = 0.75/(sqrt(3)/4) = sqrt(3) exactly, ε = 0
        assertEquals(1.7320508f, grpo.advantages(GroupRewards.of(1, 0, 0, 0))[0], 1e-6f);
    }

    @Test
    void createPassesStdAndEpsilonToGrpoBatchStd() {
        GrpoBatchStd batchStd = (GrpoBatchStd) AdvantageEstimators.FAMILY.create("grpo-batch-std", new AdvantageOptions(Grpo.Std.POPULATION, 0.5));
        assertEquals(Grpo.Std.POPULATION, batchStd.std());
        assertEquals(0.5, batchStd.epsilon());
        // batch (1,0): a = 0.5, -0.5; population std 0.5; 0.5/(0.5 + 0.5) = 0.5
        GroupRewards group = GroupRewards.of(1, 0);
        float[] a = batchStd.normalizeBatch(List.of(group), List.of(batchStd.advantages(group))).get(0);
        assertArrayEquals(new float[] {0.5f, -0.5f}, a, 1e-6f);
    }

    @Test
    void byNameIsCreateWithDefaults() {
        Grpo grpo = (Grpo) AdvantageEstimators.FAMILY.create("grpo", AdvantageOptions.defaults());
        assertEquals(AdvantageOptions.defaults().std(), grpo.std());
        assertEquals(AdvantageOptions.defaults().epsilon(), grpo.epsilon());
        assertEquals(new AdvantageOptions(Grpo.Std.SAMPLE, 1e-6), AdvantageOptions.defaults());
    }

    @Test
    void estimatorsWithoutStdIgnoreTheOptions() {
        AdvantageEstimator rloo = AdvantageEstimators.FAMILY.create("rloo", new AdvantageOptions(Grpo.Std.POPULATION, 3));
        assertArrayEquals(new float[] {1f, -1f}, rloo.advantages(GroupRewards.of(1, 0)), 1e-6f);
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdvantageEstimators.FAMILY.create("ppo-gae", AdvantageOptions.defaults()));
        assertTrue(e.getMessage().contains("'ppo-gae'"), e.getMessage());
        for (String name : AdvantageEstimators.FAMILY.names()) {
            assertTrue(e.getMessage().contains(name), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> AdvantageEstimators.FAMILY.create(null, AdvantageOptions.defaults()));
        assertThrows(IllegalArgumentException.class, () -> AdvantageEstimators.FAMILY.entry("ppo-gae").formula());
    }

    @Test
    void optionsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new AdvantageOptions(null, 1e-6));
        assertThrows(IllegalArgumentException.class, () -> new AdvantageOptions(Grpo.Std.SAMPLE, -1e-6));
        assertThrows(IllegalArgumentException.class, () -> new AdvantageOptions(Grpo.Std.SAMPLE, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new AdvantageOptions(Grpo.Std.SAMPLE, Double.POSITIVE_INFINITY));
        assertThrows(NullPointerException.class, () -> AdvantageEstimators.FAMILY.create("grpo", null));
    }

    @Test
    void namesCannotBeChangedFromOutside() {
        List<String> names = AdvantageEstimators.FAMILY.names();
        assertThrows(UnsupportedOperationException.class, () -> names.remove("grpo"));
    }
}
