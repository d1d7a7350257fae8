package io.rlstream.reward.sandbox;

import java.time.Duration;

/**
 * What one sandboxed run may use.
 *
 * @param wallTimeout  wall-clock limit; at it the whole process tree is killed
 * @param cpuSeconds   CPU-time limit (RLIMIT_CPU)
 * @param memoryBytes  address-space limit (RLIMIT_AS)
 * @param outputBytes  bytes kept of stdout and of stderr each; the rest is read and dropped
 * @param fileBytes    largest file the program may write (RLIMIT_FSIZE)
 */
public record SandboxLimits(Duration wallTimeout, int cpuSeconds, long memoryBytes, int outputBytes, long fileBytes) {

    public SandboxLimits {
        if (wallTimeout.isNegative() || wallTimeout.isZero() || cpuSeconds < 1 || memoryBytes < (16L << 20)
                || outputBytes < 1 || fileBytes < 1) {
            throw new IllegalArgumentException("sandbox limits must be positive (memory at least 16 MiB), got "
                    + wallTimeout + ", " + cpuSeconds + " s CPU, " + memoryBytes + " B memory, " + outputBytes
                    + " B output, " + fileBytes + " B files");
        }
    }

    public SandboxLimits(Duration wallTimeout, int cpuSeconds, long memoryBytes) {
        this(wallTimeout, cpuSeconds, memoryBytes, 64 * 1024, 16L << 20);
    }

    /** 10 s wall clock, 5 s CPU, 512 MiB, 64 KiB of output each, 16 MiB files. */
    public static SandboxLimits defaults() {
        return new SandboxLimits(Duration.ofSeconds(10), 5, 512L << 20);
    }
}
