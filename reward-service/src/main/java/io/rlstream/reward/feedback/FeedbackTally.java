package io.rlstream.reward.feedback;

import java.util.OptionalDouble;

/**
 * The reactions to one response, summed so far: an immutable value, so that it can be the value
 * of a Kafka Streams aggregate.
 *
 * @param rewarded how many reactions were mapped to a reward
 * @param sum      the sum of those rewards
 * @param unmapped how many reactions could not be mapped (unknown reaction or unusable rating);
 *                 they are counted here and do not enter the reward
 */
public record FeedbackTally(long rewarded, double sum, long unmapped) {

    public static final FeedbackTally EMPTY = new FeedbackTally(0, 0.0, 0);

    public FeedbackTally plus(double reward) {
        return new FeedbackTally(rewarded + 1, sum + reward, unmapped);
    }

    public FeedbackTally plusUnmapped() {
        return new FeedbackTally(rewarded, sum, unmapped + 1);
    }

    /** The mean of the mapped rewards; empty when no reaction could be mapped (not 0). */
    public OptionalDouble reward() {
        return rewarded == 0 ? OptionalDouble.empty() : OptionalDouble.of(sum / rewarded);
    }
}
