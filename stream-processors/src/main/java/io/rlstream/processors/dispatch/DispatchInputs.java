package io.rlstream.processors.dispatch;

import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.Prompt;
import io.rlstream.events.PromptStats;
import io.rlstream.events.TopicPartitionOffset;

/**
 * What the dispatcher refuses of a record that decoded to the right type (issue 19): a prompt
 * without an id could never be matched to its groups, a non-finite or negative statistic would
 * make a selector's estimates NaN, and with them every prompt's choice, and a checkpoint version no
 * trainer could have reached would open the staleness gate for good. Each check returns what is
 * wrong, in words, or null.
 */
final class DispatchInputs {

    private DispatchInputs() {
    }

    static String invalid(Prompt p) {
        return p.getPromptId().isBlank() ? "invalid Prompt: blank prompt_id" : null;
    }

    /**
     * A trainer's versions count its steps from the initial policy's 0, and every step reads at
     * least one record of its input, so a version can never exceed the input positions its
     * announcement says were consumed (the sum of its offsets: each is the number of records before
     * it, transaction markers included). A forged or corrupted high version (issue 19's list) fails
     * this; the dispatcher cannot load the folder, as the worker does, to tell otherwise.
     */
    static String invalid(CheckpointPublished c) {
        String what = "invalid CheckpointPublished version " + c.getVersion() + ": ";
        if (c.getVersion() < 0) {
            return what + "negative";
        }
        long consumed = 0;
        for (TopicPartitionOffset o : c.getOffsets()) {
            if (o.getOffset() < 0) {
                return what + "negative offset " + o.getOffset() + " of " + o.getTopic() + "-" + o.getPartition();
            }
            consumed += o.getOffset();
        }
        if (c.getVersion() > consumed) {
            return what + "its offsets account for " + consumed + " input records, and every training step reads at "
                    + "least one (versions count steps from 0): no trainer published it";
        }
        return null;
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
