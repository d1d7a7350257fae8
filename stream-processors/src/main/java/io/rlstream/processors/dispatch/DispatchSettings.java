package io.rlstream.processors.dispatch;

import io.rlstream.processors.config.ProcessorsConfig;

/**
 * What the dispatcher asks for and how much it lets fly at once.
 *
 * @param groupSize          G: responses per dispatched prompt
 * @param maxInFlightGroups  dispatch only while dispatched − completed groups is below this
 * @param temperature        sampling temperature for the generators
 * @param maxNewTokens       response length limit in tokens
 * @param seed               seed of the uniform random prompt choice
 * @param maxBatchesAhead    dispatch only while at most this many written batches await training (when maxStaleness is -1)
 * @param maxStaleness       η of AReaL's staleness-bounded admission ({@link StalenessBound}), or -1 for the lag gate
 * @param batchGroups        B, groups per training batch (for the staleness bound)
 * @param generationTimeoutMs a dispatched group with no trace after this long is given up on (lost generation)
 */
public record DispatchSettings(int groupSize, int maxInFlightGroups, float temperature, int maxNewTokens, long seed,
        int maxBatchesAhead, int maxStaleness, int batchGroups, long generationTimeoutMs) {

    /** Without the staleness bound: the lag gate, B = 16, groups given up on after 10 minutes. */
    public DispatchSettings(int groupSize, int maxInFlightGroups, float temperature, int maxNewTokens, long seed,
            int maxBatchesAhead) {
        this(groupSize, maxInFlightGroups, temperature, maxNewTokens, seed, maxBatchesAhead, -1, 16, 600_000);
    }

    public DispatchSettings {
        if (groupSize < 1) {
            throw new IllegalArgumentException("group size must be >= 1, got " + groupSize);
        }
        if (maxInFlightGroups < 1) {
            throw new IllegalArgumentException("max in-flight groups must be >= 1, got " + maxInFlightGroups);
        }
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
        }
        if (maxBatchesAhead < 0) {
            throw new IllegalArgumentException("max batches ahead must be >= 0, got " + maxBatchesAhead);
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("max new tokens must be >= 1, got " + maxNewTokens);
        }
        if (maxStaleness < -1) {
            throw new IllegalArgumentException("max staleness must be >= 0, or -1 for none, got " + maxStaleness);
        }
        if (batchGroups < 1) {
            throw new IllegalArgumentException("batch groups must be >= 1, got " + batchGroups);
        }
        if (generationTimeoutMs < 1) {
            throw new IllegalArgumentException("the generation timeout must be >= 1 ms, got " + generationTimeoutMs);
        }
    }

    /** The admission rule these settings ask for: AReaL's staleness bound when η >= 0, else the trainer lag gate; both under the in-flight cap. */
    public AdmissionPolicy admission() {
        InFlightBudget cap = new InFlightBudget(maxInFlightGroups);
        return maxStaleness >= 0 ? new StalenessBound(maxStaleness, batchGroups, cap) : new TrainerLagGate(maxBatchesAhead, cap);
    }

    /** The settings a deployment configured (group.size, dispatch.*). */
    public static DispatchSettings from(ProcessorsConfig config) {
        return new DispatchSettings(config.getInt(ProcessorsConfig.GROUP_SIZE),
                config.getInt(ProcessorsConfig.MAX_IN_FLIGHT_GROUPS),
                config.getDouble(ProcessorsConfig.TEMPERATURE).floatValue(),
                config.getInt(ProcessorsConfig.MAX_NEW_TOKENS), config.getLong(ProcessorsConfig.SEED),
                config.getInt(ProcessorsConfig.MAX_BATCHES_AHEAD), config.getInt(ProcessorsConfig.DISPATCH_MAX_STALENESS),
                config.getInt(ProcessorsConfig.BATCH_GROUPS), config.getLong(ProcessorsConfig.GENERATION_TIMEOUT_MS));
    }
}
