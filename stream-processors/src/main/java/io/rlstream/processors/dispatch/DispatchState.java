package io.rlstream.processors.dispatch;

/**
 * What an admission policy decides on.
 *
 * @param dispatched     groups dispatched so far (across restarts)
 * @param completed      of those, groups whose every sample has a reward
 * @param policyVersion  latest trained policy version announced on the checkpoints topic (0 before any);
 *                       the trainer makes one version per batch, so it is also the batches trained
 * @param batchesWritten training batches committed on the training-batches topic
 */
public record DispatchState(long dispatched, long completed, long policyVersion, long batchesWritten) {

    /** Batches written but not yet trained on: the trainer's backlog. */
    public long batchesAhead() {
        return batchesWritten - policyVersion;
    }

    /** Groups dispatched and not yet completed. */
    public long inFlight() {
        return dispatched - completed;
    }
}
