package io.rlstream.reward.sandbox;

/**
 * How one sandboxed run ended.
 *
 * @param outcome    what happened, see {@link Outcome}
 * @param exitCode   the exit status the sandbox reported ({@code 128 + n} for signal n), or -1
 *                   when no process ran
 * @param stdout     the program's standard output, at most {@link SandboxLimits#outputBytes()}
 * @param stderr     the program's standard error, at most {@link SandboxLimits#outputBytes()}
 * @param truncated  whether stdout or stderr was cut at the cap
 * @param wallMillis real time from start to exit (or kill)
 * @param reason     one line for a person: the exception, the limit hit, or why the sandbox
 *                   could not run the program
 */
public record SandboxResult(
        Outcome outcome, int exitCode, String stdout, String stderr, boolean truncated, long wallMillis, String reason) {

    /** The ways a run ends. Every outcome but {@link #SANDBOX_ERROR} is the program's own doing. */
    public enum Outcome {
        /** Exit status 0 after the last line of the program ran. */
        OK,
        /** A non-zero exit (an uncaught exception, a failed assert, {@code sys.exit(1)}), or an
         *  exit before the last line ran ({@code sys.exit(0)}, {@code os._exit(0)}). */
        FAILED,
        /** Still running when the wall clock ran out; killed with its children. */
        TIMEOUT,
        /** Used up its CPU seconds (SIGXCPU). */
        CPU_LIMIT,
        /** Ran out of address space ({@code MemoryError}). */
        MEMORY_LIMIT,
        /** Wrote more than the output cap; killed. */
        OUTPUT_LIMIT,
        /** Killed by a signal it did not get from a limit (SIGSEGV, SIGABRT, SIGKILL). */
        KILLED_BY_SIGNAL,
        /** The program could not be run at all (no Python, no temporary directory, the sandbox
         *  failed to start): the check was not made, which says nothing about the program. */
        SANDBOX_ERROR
    }

    public SandboxResult {
        stdout = stdout == null ? "" : stdout;
        stderr = stderr == null ? "" : stderr;
        reason = reason == null ? "" : reason;
    }

    /** Whether the program ran to its end and exited 0. */
    public boolean ok() {
        return outcome == Outcome.OK;
    }

    static SandboxResult sandboxError(String reason, long wallMillis) {
        return new SandboxResult(Outcome.SANDBOX_ERROR, -1, "", "", false, wallMillis, reason);
    }
}
