package io.rlstream.rollouts;

import io.rlstream.events.Rollout;
import io.rlstream.events.RolloutPosition;
import io.rlstream.events.RolloutSummary;
import io.rlstream.events.SampleStatus;
import io.rlstream.events.StoredRollout;
import io.rlstream.tokens.Tokens;

/**
 * A rollout without its tokens: the {@link RolloutSummary} the reward service writes into each
 * reward, and the {@link StoredRollout} the grouping app keeps while a group is open. The two hold
 * the same fields; StoredRollout stays the store's type so that its changelog keeps decoding.
 */
public final class RolloutSummaries {

    private RolloutSummaries() {
    }

    /** The summary of a rollout read at {@code partition}/{@code offset} of rl.rollouts. */
    public static RolloutSummary of(Rollout r, int partition, long offset) {
        return RolloutSummary.newBuilder()
                .setRolloutId(r.getRolloutId())
                .setPromptId(r.getPromptId())
                .setSampleIndex(r.getSampleIndex())
                .setGroupSize(r.getGroupSize())
                .setPolicyVersion(r.getPolicyVersion())
                .setFinishReason(r.getFinishReason())
                .setStatus(r.getStatus())
                .setError(r.getError())
                .setTemperature(r.getTemperature())
                .setMaxNewTokens(r.getMaxNewTokens())
                .setResponseLength(responseLength(r))
                .setSource(new RolloutPosition(partition, offset))
                .build();
    }

    /** What the grouping store keeps of a rollout read at {@code partition}/{@code offset}. */
    public static StoredRollout stored(Rollout r, int partition, long offset) {
        return stored(of(r, partition, offset));
    }

    /** The grouping store's record of a summarised rollout: the same fields. */
    public static StoredRollout stored(RolloutSummary s) {
        return StoredRollout.newBuilder()
                .setRolloutId(s.getRolloutId())
                .setPromptId(s.getPromptId())
                .setSampleIndex(s.getSampleIndex())
                .setGroupSize(s.getGroupSize())
                .setPolicyVersion(s.getPolicyVersion())
                .setFinishReason(s.getFinishReason())
                .setStatus(s.getStatus())
                .setError(s.getError())
                .setTemperature(s.getTemperature())
                .setMaxNewTokens(s.getMaxNewTokens())
                .setResponseLength(s.getResponseLength())
                .setSource(RolloutPosition.newBuilder(s.getSource()).build())
                .build();
    }

    /** A FAILED rollout's tokens are never used (and may be what made it fail): its length is 0. */
    private static int responseLength(Rollout r) {
        return r.getStatus() == SampleStatus.OK ? Tokens.responseLength(r) : 0;
    }
}
