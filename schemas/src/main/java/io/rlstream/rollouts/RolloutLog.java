package io.rlstream.rollouts;

import io.rlstream.events.Rollout;
import java.util.Collection;
import java.util.Map;

/**
 * Reads rollouts back from rl.rollouts by position. Grouping keeps only what it decides with
 * (ids, status, version, length, position) in its stores and outcomes; the tokens stay where the
 * worker wrote them and are read once, when the batch that trains on them is written (issue 18:
 * every rollout byte used to reach the broker five times), by the batch assembler, or, for batches
 * written with {@code batch.tokens=reference}, by whoever reads the batch ({@link TokenResolver}).
 */
public interface RolloutLog extends AutoCloseable {

    /** A rollout record's place on rl.rollouts. */
    record Position(int partition, long offset) {
    }

    /**
     * The rollouts at {@code positions}. A position missing from the result is no longer on the
     * topic (deleted by retention, or an aborted write); the caller decides what that means.
     *
     * @throws Unavailable when the broker does not answer in time (the caller's task fails and
     *         is retried from its last commit; nothing is lost)
     */
    Map<Position, Rollout> read(Collection<Position> positions);

    @Override
    void close();

    /**
     * The rollouts could not be read in time: a broker problem, not bad input. Callers must not
     * treat the record they were resolving as invalid (no dead letter); they fail and retry.
     */
    final class Unavailable extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        public Unavailable(String message) {
            super(message);
        }
    }

    /** Opens one log per stream task that needs it (tasks run on their own threads). */
    @FunctionalInterface
    interface Factory {
        RolloutLog open();
    }
}
