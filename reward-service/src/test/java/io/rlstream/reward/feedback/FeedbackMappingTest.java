package io.rlstream.reward.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class FeedbackMappingTest {

    private final FeedbackMapping mapping = FeedbackMapping.parse("thumbs_up=1,thumbs_down=-1,❤️=1,😡=-1");

    @Test
    void binaryAndEmojiReactionsMapToTheirRewards() {
        assertEquals(OptionalDouble.of(1.0), mapping.reward("thumbs_up", null));
        assertEquals(OptionalDouble.of(-1.0), mapping.reward("thumbs_down", null));
        assertEquals(OptionalDouble.of(1.0), mapping.reward("❤️", null));
        assertEquals(OptionalDouble.of(-1.0), mapping.reward("😡", null));
    }

    @Test
    void aFixedRewardIgnoresTheValue() {
        assertEquals(OptionalDouble.of(1.0), mapping.reward("thumbs_up", 0.2));
    }

    @Test
    void unknownReactionsGiveNoRewardNotZero() {
        assertEquals(OptionalDouble.empty(), mapping.reward("🤷", null));
        assertEquals(OptionalDouble.empty(), mapping.reward("", null));
        assertEquals(OptionalDouble.empty(), mapping.reward(null, null));
        assertFalse(mapping.knows("🤷"));
        assertTrue(mapping.knows("thumbs_up"));
    }

    @Test
    void reactionsMatchAcrossPresentationSelectorsSkinTonesCaseAndSpaces() {
        // U+2764 alone and U+2764 U+FE0F are the same heart; 👍🏽 (U+1F44D U+1F3FD) is 👍.
        assertEquals(OptionalDouble.of(1.0), mapping.reward("\u2764", null));
        assertEquals(OptionalDouble.of(1.0), mapping.reward("\u2764\uFE0F", null));
        assertEquals(OptionalDouble.of(1.0), mapping.reward(" Thumbs_Up ", null));
        FeedbackMapping thumbs = FeedbackMapping.parse("👍=1,👎=-1");
        assertEquals(OptionalDouble.of(1.0), thumbs.reward("👍🏽", null));
        assertEquals(OptionalDouble.of(-1.0), thumbs.reward("👎🏿", null));
        assertEquals(List.of("thumbs_up", "thumbs_down", "\u2764", "😡"), List.copyOf(mapping.reactions()));
    }

    @Test
    void ratingsOnAScaleAreRescaledToMinusOneToOne() {
        // 2 (v - 1) / (5 - 1) - 1
        FeedbackMapping stars = FeedbackMapping.parse("stars=1..5");
        assertEquals(OptionalDouble.of(-1.0), stars.reward("stars", 1.0));
        assertEquals(OptionalDouble.of(-0.5), stars.reward("stars", 2.0));
        assertEquals(OptionalDouble.of(0.0), stars.reward("stars", 3.0));
        assertEquals(OptionalDouble.of(0.5), stars.reward("stars", 4.0));
        assertEquals(OptionalDouble.of(1.0), stars.reward("stars", 5.0));
        assertEquals(OptionalDouble.of(0.25), stars.reward("stars", 3.5));
        // 0..10: 2 · 7 / 10 - 1 = 0.4
        assertEquals(0.4, FeedbackMapping.parse("nps=0..10").reward("nps", 7.0).getAsDouble(), 1e-12);
    }

    @Test
    void aRatingOutsideItsScaleOrMissingGivesNoReward() {
        FeedbackMapping stars = FeedbackMapping.parse("stars=1..5");
        assertEquals(OptionalDouble.empty(), stars.reward("stars", 0.0));
        assertEquals(OptionalDouble.empty(), stars.reward("stars", 6.0));
        assertEquals(OptionalDouble.empty(), stars.reward("stars", null));
        assertEquals(OptionalDouble.empty(), stars.reward("stars", Double.NaN));
        assertTrue(stars.knows("stars"));
    }

    @Test
    void aRatingCanBeUsedAsIs() {
        FeedbackMapping score = FeedbackMapping.parse("score=value");
        assertEquals(OptionalDouble.of(0.7), score.reward("score", 0.7));
        assertEquals(OptionalDouble.of(-3.0), score.reward("score", -3.0));
        assertEquals(OptionalDouble.empty(), score.reward("score", null));
        assertEquals(OptionalDouble.empty(), score.reward("score", Double.POSITIVE_INFINITY));
    }

    @Test
    void oneSpecMixesAllRules() {
        FeedbackMapping all = FeedbackMapping.parse(FeedbackMapping.EXAMPLE);
        assertEquals(Map.of(
                "thumbs_up", new FeedbackMapping.Fixed(1),
                "thumbs_down", new FeedbackMapping.Fixed(-1),
                "\u2764", new FeedbackMapping.Fixed(1),
                "😡", new FeedbackMapping.Fixed(-1),
                "stars", new FeedbackMapping.Rescaled(1, 5),
                "score", new FeedbackMapping.AsIs()), all.rules());
        assertEquals(OptionalDouble.of(0.5), FeedbackMapping.parse(" up = 0.5 , r = -2 .. 2 ").reward("up", null));
        assertEquals(OptionalDouble.of(0.5), FeedbackMapping.parse(" up = 0.5 , r = -2 .. 2 ").reward("r", 1.0));
    }

    @Test
    void malformedSpecsSayWhichEntryAndWhatIsExpected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FeedbackMapping.parse("thumbs_up=1,thumbs_down"));
        assertTrue(e.getMessage().contains("entry 2 'thumbs_down' is not reaction=reward"), e.getMessage());
        assertTrue(e.getMessage().contains("e.g. thumbs_up=1,thumbs_down=-1"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FeedbackMapping.parse("up=great"))
                .getMessage().contains("'great', which is neither a number, min..max nor 'value'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FeedbackMapping.parse("stars=5..1"))
                .getMessage().contains("needs finite min < max"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FeedbackMapping.parse("❤️=1,❤=1"))
                .getMessage().contains("repeats reaction '❤️'"));
        assertThrows(IllegalArgumentException.class, () -> FeedbackMapping.parse(""));
        assertThrows(IllegalArgumentException.class, () -> FeedbackMapping.parse("=1"));
        assertThrows(IllegalArgumentException.class, () -> FeedbackMapping.parse("up=1,,down=-1"));
        assertThrows(IllegalArgumentException.class, () -> FeedbackMapping.parse("up="));
        assertThrows(IllegalArgumentException.class, () -> FeedbackMapping.parse("up=1=2"));
        assertThrows(IllegalArgumentException.class, () -> FeedbackMapping.parse("up=NaN"));
        assertThrows(IllegalArgumentException.class, () -> FeedbackMapping.parse("stars=1..x"));
    }

    @Test
    void constructorTakesRulesByReaction() {
        FeedbackMapping m = new FeedbackMapping(Map.of("Like", new FeedbackMapping.Fixed(1)));
        assertEquals(OptionalDouble.of(1.0), m.reward("like", null));
        assertThrows(IllegalArgumentException.class, () -> new FeedbackMapping(Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new FeedbackMapping(Map.of("like", new FeedbackMapping.Fixed(1), "LIKE", new FeedbackMapping.Fixed(1))));
        assertThrows(IllegalArgumentException.class, () -> new FeedbackMapping.Fixed(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new FeedbackMapping.Rescaled(1, 1));
    }
}
