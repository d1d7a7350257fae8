package io.rlstream.processors.dispatch;

/**
 * How many new groups the dispatcher may dispatch now. Pure, so each rule is tested with numbers;
 * AReaL's staleness-bounded rule (docs/algorithms.md#staleness-bounded-admission) is another implementation of this.
 */
@FunctionalInterface
public interface AdmissionPolicy {

    /** @return groups that may be dispatched now, >= 0 */
    int admissible(DispatchState state);
}
