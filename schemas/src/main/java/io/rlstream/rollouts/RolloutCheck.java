package io.rlstream.rollouts;

import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.tokens.Tokens;

/**
 * The checks every reader of rl.rollouts makes of a Rollout before it uses it, in one place: the
 * reward service (which writes each rollout's summary into its reward) and the grouping app (when
 * it still reads rl.rollouts, {@code grouping.rollouts.source = rollouts-topic}) judge a rollout the
 * same way (docs/architecture.md#rules-every-service-keeps, rules 2 and 3). Two kinds of bad rollout:
 * <ul>
 *   <li>unplaceable (no key, empty rollout_id, key other than its group_id, group_size &lt; 1,
 *       sample_index out of range): it cannot be put in a group; a dead letter only;</li>
 *   <li>unusable (an OK rollout whose logprobs do not match its tokens, or whose packed bytes are
 *       malformed): it can be placed, so it is a dead letter AND goes on marked FAILED, so that its
 *       group still completes and the bad sample never reaches a baseline (never a zero reward).</li>
 * </ul>
 */
public final class RolloutCheck {

    private RolloutCheck() {
    }

    /** Why the rollout cannot be placed in a group, or null when it can. */
    public static String unplaceable(String key, Rollout r) {
        if (key == null) {
            return "rollout " + r.getRolloutId() + " has no record key; rollouts must be keyed by group_id";
        }
        if (r.getRolloutId().isEmpty()) {
            return "rollout of group " + r.getGroupId() + " has an empty rollout_id";
        }
        if (!key.equals(r.getGroupId())) {
            return "rollout " + r.getRolloutId() + " has group_id '" + r.getGroupId() + "' but record key '" + key
                    + "'; rollouts must be keyed by their group_id";
        }
        return unplaceable(r.getRolloutId(), r.getGroupSize(), r.getSampleIndex());
    }

    /** Why a rollout of this size and index cannot be placed in a group (also a summary's), or null. */
    public static String unplaceable(String rolloutId, int groupSize, int sampleIndex) {
        if (groupSize < 1) {
            return "rollout " + rolloutId + " has group_size " + groupSize + "; expected >= 1";
        }
        if (sampleIndex < 0 || sampleIndex >= groupSize) {
            return "rollout " + rolloutId + " has sample_index " + sampleIndex + "; expected 0.."
                    + (groupSize - 1) + " for group_size " + groupSize;
        }
        return null;
    }

    /**
     * Why an OK rollout cannot be used (ending in "; sample excluded from its group as failed"),
     * or null: a FAILED rollout is never unusable, its tokens are not used.
     */
    public static String unusable(Rollout r) {
        if (r.getStatus() != SampleStatus.OK) {
            return null;
        }
        String problem;
        try {
            Tokens.promptIds(r);
            int tokens = Tokens.responseLength(r);
            int logprobs = Tokens.logprobCount(r);
            problem = logprobs == tokens ? null
                    : "has " + logprobs + " behaviour logprobs for " + tokens + " response tokens";
        } catch (IllegalArgumentException e) {
            problem = "has malformed " + e.getMessage();
        }
        return problem == null ? null
                : "rollout " + r.getRolloutId() + " " + problem + "; sample excluded from its group as failed";
    }

    /** The rollout itself when usable, else a copy marked FAILED with {@link #unusable} as its error. */
    public static Rollout demoteIfUnusable(Rollout r) {
        String problem = unusable(r);
        if (problem == null) {
            return r;
        }
        // Set on a copy of the record: the builder would deep-copy the token buffers.
        Rollout demoted = Rollout.newBuilder(r).build();
        demoted.setStatus(SampleStatus.FAILED);
        demoted.setError(problem);
        return demoted;
    }
}
