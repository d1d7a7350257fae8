package io.rlstream.processors.dispatch;

/**
 * AReaL's staleness-bounded admission (arXiv 2505.24298, docs/algorithms.md#staleness-bounded-admission): with batch size B
 * (groups), staleness bound η and the latest trained version v, new groups go only while
 * {@code (η + v + 1)·B − (accepted + in flight) > 0}, and then at most that many (and no more than
 * the wrapped policy allows). Every group accepted or in flight will be trained at some version
 * ≥ v + 1, and the rule keeps at most (η + 1)·B of them ahead of the trainer, so a sample generated
 * now with weights v is trained at version v + η + 1 at the latest: at most η versions older than
 * the weights it trains (plus the versions generators lag in loading a checkpoint). η = 0 is
 * synchronous training through the same code: one batch is generated, then nothing until the
 * trainer has trained it. Groups dropped by the filters free their budget (they are neither
 * accepted nor in flight), so dynamic sampling keeps dispatching until a batch is full.
 *
 * <p>It cannot deadlock: when nothing is in flight and fewer than B groups are accepted beyond v·B,
 * the budget is positive.
 */
public final class StalenessBound implements AdmissionPolicy {

    private final int eta;
    private final int batchGroups;
    private final AdmissionPolicy inner;

    public StalenessBound(int eta, int batchGroups, AdmissionPolicy inner) {
        if (eta < 0) {
            throw new IllegalArgumentException("the staleness bound eta must be >= 0, got " + eta);
        }
        if (batchGroups < 1) {
            throw new IllegalArgumentException("the batch size B must be >= 1 group, got " + batchGroups);
        }
        this.eta = eta;
        this.batchGroups = batchGroups;
        this.inner = inner;
    }

    /**
     * (η + v + 1)·B − (accepted + in flight), which may be negative; v counts the batches the trainer
     * is done with ({@link DispatchState#batchesDone}: a batch it refused frees its B groups too).
     */
    public long budget(DispatchState state) {
        return (eta + state.batchesDone() + 1) * batchGroups - (state.accepted() + state.inFlight());
    }

    @Override
    public int admissible(DispatchState state) {
        return (int) Math.max(0, Math.min(budget(state), inner.admissible(state)));
    }
}
