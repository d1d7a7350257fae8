package io.rlstream.reward.feedback;

import io.rlstream.events.UserFeedback;
import java.util.OptionalDouble;

/**
 * Combines the reactions to one response into one reward: the mean of the rewards that the
 * {@link FeedbackMapping} gives them. Two thumbs up (+1, +1) and one thumbs down (−1) give
 * (1 + 1 − 1) / 3 = 1/3. The mean keeps the reward on the mapping's scale whatever the number of
 * reactions, so a response shown to many users does not outweigh one shown to few; every event
 * counts once, so a caller that wants one vote per user keeps each user's latest reaction before
 * adding it. Reactions the mapping cannot map are counted in {@link FeedbackTally#unmapped()} and
 * do not move the mean; a response with no mapped reaction has no reward (empty, never 0).
 * Pure and thread-safe.
 */
public final class FeedbackAggregator {

    private final FeedbackMapping mapping;

    public FeedbackAggregator(FeedbackMapping mapping) {
        if (mapping == null) {
            throw new IllegalArgumentException("a feedback aggregator needs a mapping");
        }
        this.mapping = mapping;
    }

    /** Adds one reaction to a tally ({@link FeedbackTally#EMPTY} to start). */
    public FeedbackTally add(FeedbackTally tally, String reaction, Double value) {
        OptionalDouble reward = mapping.reward(reaction, value);
        return reward.isPresent() ? tally.plus(reward.getAsDouble()) : tally.plusUnmapped();
    }

    /** Adds one {@code UserFeedback} event to a tally. */
    public FeedbackTally add(FeedbackTally tally, UserFeedback feedback) {
        return add(tally, feedback.getReaction(), feedback.getValue());
    }

    /** Tallies all the reactions to one response. */
    public FeedbackTally aggregate(Iterable<UserFeedback> reactions) {
        FeedbackTally tally = FeedbackTally.EMPTY;
        for (UserFeedback feedback : reactions) {
            tally = add(tally, feedback);
        }
        return tally;
    }

    public FeedbackMapping mapping() {
        return mapping;
    }
}
