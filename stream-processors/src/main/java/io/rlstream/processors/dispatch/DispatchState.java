package io.rlstream.processors.dispatch;

/**
 * What an admission policy decides on.
 *
 * @param dispatched     groups dispatched so far (across restarts)
 * @param completed      of those, groups the grouping app resolved (kept or dropped)
 * @param policyVersion  latest trained policy version announced on the checkpoints topic (0 before any);
 *                       the trainer makes one version per batch, so it is also the batches trained
 * @param batchesWritten training batches committed on the training-batches topic
 * @param accepted       resolved groups kept for training (in a batch, or waiting for one)
 * @param lost           dispatched groups given up on: no trace of them within the generation timeout
 */
public record DispatchState(long dispatched, long completed, long policyVersion, long batchesWritten, long accepted,
        long lost) {

    /** A state without accepted or lost groups (what rules that ignore them need). */
    public DispatchState(long dispatched, long completed, long policyVersion, long batchesWritten) {
        this(dispatched, completed, policyVersion, batchesWritten, 0, 0);
    }

    /** Batches written but not yet trained on: the trainer's backlog. */
    public long batchesAhead() {
        return batchesWritten - policyVersion;
    }

    /** Groups dispatched and neither resolved nor given up on. */
    public long inFlight() {
        return Math.max(0, dispatched - completed - lost);
    }
}
