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
 * @param maxBatchesAhead    dispatch only while at most this many written batches await training
 */
public record DispatchSettings(int groupSize, int maxInFlightGroups, float temperature, int maxNewTokens, long seed,
        int maxBatchesAhead) {

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
    }

    /** The settings a deployment configured (group.size, dispatch.*). */
    public static DispatchSettings from(ProcessorsConfig config) {
        return new DispatchSettings(config.getInt(ProcessorsConfig.GROUP_SIZE),
                config.getInt(ProcessorsConfig.MAX_IN_FLIGHT_GROUPS),
                config.getDouble(ProcessorsConfig.TEMPERATURE).floatValue(),
                config.getInt(ProcessorsConfig.MAX_NEW_TOKENS), config.getLong(ProcessorsConfig.SEED),
                config.getInt(ProcessorsConfig.MAX_BATCHES_AHEAD));
    }
}
