package io.rlstream.reward.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RewardCompositionTest {

    private final RewardComposition composition = RewardComposition.parse("correctness=1.0,format=0.1,overlong=1.0");

    @Test
    void totalIsTheWeightedSumOfTheConfiguredComponents() {
        // correct (1), well formatted (1), halfway into the overlong buffer (-0.5):
        // 1.0·1 + 0.1·1 + 1.0·(-0.5) = 0.6
        RewardComposition.Result r = composition.combine(Map.of("correctness", 1.0, "format", 1.0, "overlong", -0.5));
        assertTrue(r.ok());
        assertEquals(0.6, r.total(), 1e-12);
        assertEquals(Map.of("correctness", 1.0, "format", 1.0, "overlong", -0.5), r.components());
        assertEquals("1.0·correctness(1.0) + 0.1·format(1.0) + 1.0·overlong(-0.5)", r.reason());
    }

    @Test
    void wrongButWellFormattedAndShort() {
        // 1.0·0 + 0.1·1 + 1.0·0 = 0.1
        RewardComposition.Result r = composition.combine(Map.of("correctness", 0.0, "format", 1.0, "overlong", 0.0));
        assertTrue(r.ok());
        assertEquals(0.1, r.total(), 1e-12);
    }

    @Test
    void aMissingComponentFailsTheRewardInsteadOfCountingAsZero() {
        RewardComposition.Result r = composition.combine(Map.of("correctness", 1.0, "overlong", 0.0));
        assertFalse(r.ok());
        assertTrue(Double.isNaN(r.total()));
        assertTrue(r.reason().contains("missing components [format]"), r.reason());
        assertTrue(r.reason().contains("configured [correctness, format, overlong]"), r.reason());
        // What was measured is still recorded, for debugging.
        assertEquals(Map.of("correctness", 1.0, "overlong", 0.0), r.components());
    }

    @Test
    void aNullOrNonFiniteComponentFailsTheReward() {
        Map<String, Double> withNull = new HashMap<>(Map.of("correctness", 1.0, "overlong", 0.0));
        withNull.put("format", null);
        assertFalse(composition.combine(withNull).ok());
        RewardComposition.Result nan = composition.combine(
                Map.of("correctness", Double.NaN, "format", 1.0, "overlong", 0.0));
        assertFalse(nan.ok());
        assertTrue(nan.reason().contains("not finite [correctness=NaN]"), nan.reason());
        assertFalse(composition.combine(null).ok());
    }

    @Test
    void unconfiguredComponentsAreKeptButDoNotEnterTheTotal() {
        RewardComposition.Result r = composition.combine(
                Map.of("correctness", 1.0, "format", 0.0, "overlong", 0.0, "reward-model", 0.9));
        assertTrue(r.ok());
        assertEquals(1.0, r.total());
        assertEquals(0.9, r.components().get("reward-model"));
    }

    @Test
    void negativeAndZeroWeights() {
        // 2·0.5 + (-1)·0.25 + 0·7 = 0.75; the zero-weight component is still required.
        RewardComposition c = RewardComposition.parse(" a = 2 , b=-1, c=0 ");
        assertEquals(0.75, c.combine(Map.of("a", 0.5, "b", 0.25, "c", 7.0)).total());
        assertFalse(c.combine(Map.of("a", 0.5, "b", 0.25)).ok());
    }

    @Test
    void parseKeepsTheConfiguredOrder() {
        RewardComposition c = RewardComposition.parse("overlong=1,correctness=1,format=0.1");
        assertEquals(List.of("overlong", "correctness", "format"), List.copyOf(c.weights().keySet()));
        assertEquals("overlong=1.0,correctness=1.0,format=0.1", c.toString());
    }

    @Test
    void constructorTakesAMapOfWeights() {
        Map<String, Double> weights = new LinkedHashMap<>();
        weights.put("correctness", 1.0);
        weights.put("overlong", 0.5);
        RewardComposition c = new RewardComposition(weights);
        assertEquals(0.5, c.combine(Map.of("correctness", 1.0, "overlong", -1.0)).total()); // 1 - 0.5
        assertThrows(IllegalArgumentException.class, () -> new RewardComposition(Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new RewardComposition(Map.of("x", Double.NaN)));
        assertThrows(IllegalArgumentException.class, () -> new RewardComposition(Map.of(" ", 1.0)));
    }

    @Test
    void malformedSpecsSayWhichEntryAndWhatIsExpected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RewardComposition.parse("correctness=1.0,format"));
        assertTrue(e.getMessage().contains("entry 2 'format' is not name=weight"), e.getMessage());
        assertTrue(e.getMessage().contains("e.g. correctness=1.0,format=0.1,overlong=1.0"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RewardComposition.parse("a=high"))
                .getMessage().contains("'high', which is not a number"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RewardComposition.parse("a=1,a=2"))
                .getMessage().contains("repeats component 'a'"));
        assertThrows(IllegalArgumentException.class, () -> RewardComposition.parse(""));
        assertThrows(IllegalArgumentException.class, () -> RewardComposition.parse("a=1,,b=2"));
        assertThrows(IllegalArgumentException.class, () -> RewardComposition.parse("=1"));
        assertThrows(IllegalArgumentException.class, () -> RewardComposition.parse("a=1=2"));
        assertThrows(IllegalArgumentException.class, () -> RewardComposition.parse("a=Infinity"));
    }
}
