package io.rlstream.processors.dispatch;

/**
 * Admits new groups while fewer than a fixed number are in flight (dispatched, not yet completed):
 * {@code admissible = max(0, maxInFlight − (dispatched − completed))}. Keeps the generators busy
 * without flooding the dispatch topic; it does not look at policy versions.
 */
public final class InFlightBudget implements AdmissionPolicy {

    private final int maxInFlight;

    public InFlightBudget(int maxInFlight) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("max in-flight groups must be >= 1, got " + maxInFlight);
        }
        this.maxInFlight = maxInFlight;
    }

    @Override
    public int admissible(DispatchState state) {
        long free = maxInFlight - state.inFlight();
        return (int) Math.max(0, Math.min(free, maxInFlight));
    }
}
