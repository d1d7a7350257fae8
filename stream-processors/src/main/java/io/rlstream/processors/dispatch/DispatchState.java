package io.rlstream.processors.dispatch;

/**
 * What an admission policy decides on.
 *
 * @param dispatched     groups dispatched so far (across restarts)
 * @param completed      of those, groups whose every sample has a reward
 * @param policyVersion  latest trained policy version announced on the checkpoints topic (0 before any)
 */
public record DispatchState(long dispatched, long completed, long policyVersion) {

    /** Groups dispatched and not yet completed. */
    public long inFlight() {
        return dispatched - completed;
    }
}
