package io.rlstream.reward.sandbox;

import java.time.Duration;

/**
 * What one sandboxed run may use. The defaults fit test-style checks of a short program: a
 * correct solution to a programming exercise finishes in well under a second and a few tens of
 * MiB.
 *
 * @param wallClock     real time from start to kill; the whole process group (or PID namespace)
 *                      is killed when it runs out
 * @param cpuSeconds    {@code RLIMIT_CPU}: the kernel sends SIGXCPU after this many CPU seconds
 *                      and SIGKILL one second later
 * @param memoryBytes   {@code RLIMIT_AS}: address space of each process, so an allocation past it
 *                      fails with {@code MemoryError} instead of swapping the host
 * @param outputBytes   cap on stdout and on stderr, each; the run is killed when either passes it
 * @param maxProcesses  {@code RLIMIT_NPROC}: processes and threads inside the sandbox (counted in
 *                      its own user namespace when there is one)
 * @param maxFileBytes  {@code RLIMIT_FSIZE}: the largest file the program may write
 * @param maxOpenFiles  {@code RLIMIT_NOFILE}: open file descriptors
 * @param diskBytes     size of the private tmpfs that becomes the work dir when the sandbox has a
 *                      mount namespace (otherwise only {@code maxFileBytes} bounds writes)
 */
public record SandboxLimits(
        Duration wallClock,
        int cpuSeconds,
        long memoryBytes,
        int outputBytes,
        int maxProcesses,
        long maxFileBytes,
        int maxOpenFiles,
        long diskBytes) {

    private static final long MIB = 1024L * 1024L;

    public SandboxLimits {
        if (wallClock == null || wallClock.isNegative() || wallClock.isZero()) {
            throw new IllegalArgumentException("wallClock must be positive, got " + wallClock);
        }
        requirePositive("cpuSeconds", cpuSeconds);
        // Python itself needs about 20 MiB of address space to start; less than 64 MiB would make
        // every run a sandbox error rather than a limit the program hit.
        if (memoryBytes < 64 * MIB) {
            throw new IllegalArgumentException("memoryBytes must be at least 64 MiB, got " + memoryBytes);
        }
        requirePositive("outputBytes", outputBytes);
        requirePositive("maxProcesses", maxProcesses);
        requirePositive("maxFileBytes", maxFileBytes);
        if (maxOpenFiles < 16) {
            throw new IllegalArgumentException("maxOpenFiles must be at least 16 (Python's own), got " + maxOpenFiles);
        }
        if (diskBytes < MIB) {
            throw new IllegalArgumentException("diskBytes must be at least 1 MiB, got " + diskBytes);
        }
    }

    /** 10 s wall clock, 5 CPU seconds, 512 MiB, 64 KiB of output per stream, 64 processes, 16 MiB files, 64 files open, 64 MiB of disk. */
    public static SandboxLimits defaults() {
        return new SandboxLimits(Duration.ofSeconds(10), 5, 512 * MIB, 64 * 1024, 64, 16 * MIB, 64, 64 * MIB);
    }

    public SandboxLimits withWallClock(Duration value) {
        return new SandboxLimits(value, cpuSeconds, memoryBytes, outputBytes, maxProcesses, maxFileBytes, maxOpenFiles, diskBytes);
    }

    public SandboxLimits withCpuSeconds(int value) {
        return new SandboxLimits(wallClock, value, memoryBytes, outputBytes, maxProcesses, maxFileBytes, maxOpenFiles, diskBytes);
    }

    public SandboxLimits withMemoryBytes(long value) {
        return new SandboxLimits(wallClock, cpuSeconds, value, outputBytes, maxProcesses, maxFileBytes, maxOpenFiles, diskBytes);
    }

    public SandboxLimits withOutputBytes(int value) {
        return new SandboxLimits(wallClock, cpuSeconds, memoryBytes, value, maxProcesses, maxFileBytes, maxOpenFiles, diskBytes);
    }

    public SandboxLimits withMaxProcesses(int value) {
        return new SandboxLimits(wallClock, cpuSeconds, memoryBytes, outputBytes, value, maxFileBytes, maxOpenFiles, diskBytes);
    }

    private static void requirePositive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
