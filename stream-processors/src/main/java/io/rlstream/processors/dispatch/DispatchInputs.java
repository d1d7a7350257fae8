package io.rlstream.processors.dispatch;

import io.rlstream.events.Prompt;
import io.rlstream.events.PromptStats;

/**
 * What the dispatcher refuses of a record that decoded to the right type (issue 19): a prompt
 * without an id could never be matched to its groups, and a non-finite or negative statistic would
 * make a selector's estimates NaN, and with them every prompt's choice. Each check returns what is
 * wrong, in words, or null.
 */
final class DispatchInputs {

    private DispatchInputs() {
    }

    static String invalid(Prompt p) {
        return p.getPromptId().isBlank() ? "invalid Prompt: blank prompt_id" : null;
    }

    static String invalid(PromptStats s) {
        String id = "invalid PromptStats of prompt '" + s.getPromptId() + "': ";
        if (s.getPromptId().isBlank()) {
            return "invalid PromptStats: blank prompt_id";
        }
        if (!Double.isFinite(s.getPassRate()) || !Double.isFinite(s.getMovingAverage())
                || (s.getLastGroupMeanReward() != null && !Double.isFinite(s.getLastGroupMeanReward()))
                || (s.getLastGroupPassRate() != null && !Double.isFinite(s.getLastGroupPassRate()))) {
            return id + "a non-finite number (pass_rate " + s.getPassRate() + ", moving_average " + s.getMovingAverage()
                    + ", last_group_mean_reward " + s.getLastGroupMeanReward() + ", last_group_pass_rate "
                    + s.getLastGroupPassRate() + ")";
        }
        if (s.getSamples() < 0 || s.getGroups() < 0 || s.getKeptGroups() < 0 || s.getLastGroupSamples() < 0) {
            return id + "a negative count (samples " + s.getSamples() + ", groups " + s.getGroups() + ", kept_groups "
                    + s.getKeptGroups() + ", last_group_samples " + s.getLastGroupSamples() + ")";
        }
        return null;
    }
}
