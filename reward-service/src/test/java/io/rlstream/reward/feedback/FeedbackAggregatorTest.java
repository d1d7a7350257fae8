package io.rlstream.reward.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.rlstream.events.UserFeedback;
import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class FeedbackAggregatorTest {

    private final FeedbackAggregator aggregator =
            new FeedbackAggregator(FeedbackMapping.parse("thumbs_up=1,thumbs_down=-1,❤️=1,stars=1..5"));

    private static UserFeedback feedback(String reaction, Double value) {
        return UserFeedback.newBuilder()
                .setResponseId("r-1")
                .setReaction(reaction)
                .setValue(value)
                .setTime(Instant.ofEpochMilli(0))
                .build();
    }

    @Test
    void twoUpAndOneDownGiveAThird() {
        // (1 + 1 - 1) / 3
        FeedbackTally tally = aggregator.aggregate(List.of(
                feedback("thumbs_up", null), feedback("thumbs_up", null), feedback("thumbs_down", null)));
        assertEquals(3, tally.rewarded());
        assertEquals(0, tally.unmapped());
        assertEquals(1.0 / 3.0, tally.reward().getAsDouble(), 1e-12);
    }

    @Test
    void ratingsAndReactionsAverageTogether() {
        // ❤️ → 1, 2 stars → 2 (2 - 1) / 4 - 1 = -0.5: (1 - 0.5) / 2 = 0.25
        FeedbackTally tally = FeedbackTally.EMPTY;
        tally = aggregator.add(tally, "❤️", null);
        tally = aggregator.add(tally, "stars", 2.0);
        assertEquals(OptionalDouble.of(0.25), tally.reward());
    }

    @Test
    void unmappedReactionsAreCountedAndDoNotMoveTheMean() {
        // thumbs_up → 1; 🤷 unknown; stars 9 outside 1..5: the mean is 1 / 1.
        FeedbackTally tally = aggregator.aggregate(List.of(
                feedback("thumbs_up", null), feedback("🤷", null), feedback("stars", 9.0)));
        assertEquals(new FeedbackTally(1, 1.0, 2), tally);
        assertEquals(OptionalDouble.of(1.0), tally.reward());
    }

    @Test
    void aResponseWithNoMappedReactionHasNoRewardNotZero() {
        assertEquals(OptionalDouble.empty(), FeedbackTally.EMPTY.reward());
        FeedbackTally tally = aggregator.aggregate(List.of(feedback("🤷", null)));
        assertEquals(OptionalDouble.empty(), tally.reward());
        assertEquals(1, tally.unmapped());
    }

    @Test
    void needsAMapping() {
        assertThrows(IllegalArgumentException.class, () -> new FeedbackAggregator(null));
    }
}
