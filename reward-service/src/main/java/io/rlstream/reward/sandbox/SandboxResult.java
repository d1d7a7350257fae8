package io.rlstream.reward.sandbox;

/**
 * How a sandboxed run ended.
 *
 * @param outcome   the kind of ending
 * @param exitCode  the process's exit status (−1 when it was killed at the wall-clock limit or never ran)
 * @param stdout    the first {@link SandboxLimits#outputBytes()} bytes of standard output
 * @param stderr    the first {@link SandboxLimits#outputBytes()} bytes of standard error
 * @param truncated whether either stream was longer than the cap
 * @param millis    wall-clock time of the run
 */
public record SandboxResult(Outcome outcome, int exitCode, String stdout, String stderr, boolean truncated, long millis) {

    /** Why a run ended. Everything but SANDBOX_ERROR is the program's doing. */
    public enum Outcome {
        OK, FAILED, TIMEOUT, CPU_LIMIT, MEMORY_LIMIT, KILLED_BY_SIGNAL,
        /** The sandbox itself could not run the program (no python3, no temporary folder): no verdict on it. */
        SANDBOX_ERROR
    }

    static SandboxResult error(String why) {
        return new SandboxResult(Outcome.SANDBOX_ERROR, -1, "", why, false, 0);
    }

    /** The last line of stderr, where Python puts the exception, for reasons. */
    public String lastErrorLine() {
        String[] lines = stderr.strip().split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1];
    }
}
