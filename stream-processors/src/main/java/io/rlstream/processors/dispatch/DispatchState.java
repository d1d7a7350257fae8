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
 * @param batchesConsumed batches the trainer has read past (its announced position on the training-batches
 *                       topic): trained, or refused by its input checks (issue 19), which make no version
 */
public record DispatchState(long dispatched, long completed, long policyVersion, long batchesWritten, long accepted,
        long lost, long batchesConsumed) {

    /** A state without accepted or lost groups (what rules that ignore them need). */
    public DispatchState(long dispatched, long completed, long policyVersion, long batchesWritten) {
        this(dispatched, completed, policyVersion, batchesWritten, 0, 0);
    }

    /** A state that counts the trainer's progress by its versions only. */
    public DispatchState(long dispatched, long completed, long policyVersion, long batchesWritten, long accepted,
            long lost) {
        this(dispatched, completed, policyVersion, batchesWritten, accepted, lost, 0);
    }

    /**
     * The batches the trainer is done with: its version (one per batch trained), or more where it
     * refused batches: a refused batch makes no version, and counting it as waiting would shrink
     * both admission budgets for good, until a few refused batches stop dispatching altogether.
     */
    public long batchesDone() {
        return Math.max(policyVersion, batchesConsumed);
    }

    /** Batches written but not yet trained on (nor refused): the trainer's backlog. */
    public long batchesAhead() {
        return batchesWritten - batchesDone();
    }

    /** Groups dispatched and neither resolved nor given up on. */
    public long inFlight() {
        return Math.max(0, dispatched - completed - lost);
    }
}
