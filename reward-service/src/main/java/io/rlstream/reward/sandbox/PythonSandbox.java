package io.rlstream.reward.sandbox;

/**
 * Runs an untrusted Python program (a policy's answer to a programming task, with the task's
 * tests appended) so that nothing it does can stop the service or touch anything outside its own
 * temporary directory, and reports how it ended as a {@link SandboxResult}.
 *
 * <p>Each run gets a fresh temporary directory (deleted afterwards) as working dir, HOME and
 * TMPDIR, a clean environment and {@code python3 -I -S -B} (isolated mode, no site-packages, no
 * bytecode files). Around it, from the outside in (see {@link SandboxCommand}):
 * <ul>
 *   <li><b>own session</b> ({@code setsid}): a wall-clock timeout kills the process group;
 *   <li><b>uid 65534</b> ({@code setpriv}) when the service runs as root, so the kernel's file
 *       permissions, not the program's manners, keep it out of the host's files;
 *   <li><b>user, network and PID namespaces</b> ({@code unshare}): no network at all (a loopback
 *       of its own), no host process to see or signal, and when the first process dies every
 *       process inside dies with it: no child survives a timeout or the end of the run;
 *   <li><b>mount namespace</b>: every mount read-only, the work dir a fresh tmpfs capped at
 *       {@link SandboxLimits#diskBytes()}, capabilities dropped so this cannot be undone;
 *   <li><b>rlimits</b> ({@code prlimit}, or bash {@code ulimit}): CPU seconds, address space,
 *       processes, file size, open files, no core dumps;
 *   <li><b>output caps</b>: stdout and stderr are drained on their own threads and the run is
 *       killed past {@link SandboxLimits#outputBytes()};
 *   <li><b>an audit hook</b> (PEP 578) installed before the program runs, which refuses writes,
 *       renames and deletes outside the work dir, {@code /proc}, {@code subprocess}, {@code os.system},
 *       {@code os.fork}/{@code exec*}/{@code kill}, sockets and DNS, and ctypes. Audit hooks are
 *       defence in depth and <em>not</em> a security boundary: CPython documents that code in the
 *       same interpreter can get around them. The kernel layers above are the boundary.
 * </ul>
 *
 * <p>The layers are detected once, in the constructor, by running a probe program under each
 * combination from strongest to weakest ({@link IsolationProbe}); {@link #isolation()} says which
 * are active. Where one is missing the sandbox runs without it: without namespaces there is no
 * network isolation ({@link #networkIsolated()} is false) and stray children are only killed by
 * the process-group kill; without the mount namespace a program running as uid 65534 can still
 * write where everyone may (/tmp) unless the audit hook stops it; a service running as root with
 * neither namespaces nor {@code setpriv} relies on the audit hook alone. When no python3 on PATH
 * can run, every {@link #run} reports {@link SandboxResult.Outcome#SANDBOX_ERROR} with the reason.
 *
 * <p>Thread-safe: runs share nothing but the detected configuration.
 */
public final class PythonSandbox {

    private final SandboxLimits limits;
    private final SandboxTools tools;
    private final SandboxIsolation isolation;

    /** Detects the isolation layers (about a second: a few probe runs) and keeps them for every run. */
    public PythonSandbox(SandboxLimits limits) {
        this(limits, SandboxTools.discover(), true);
    }

    /** For tests: without the audit hook, to show that the kernel layers hold by themselves. */
    PythonSandbox(SandboxLimits limits, boolean auditHook) {
        this(limits, SandboxTools.discover(), auditHook);
    }

    PythonSandbox(SandboxLimits limits, SandboxTools tools, boolean auditHook) {
        if (limits == null) {
            throw new IllegalArgumentException("limits must not be null; use SandboxLimits.defaults()");
        }
        this.limits = limits;
        this.tools = tools;
        this.isolation = IsolationProbe.strongest(tools, limits, auditHook);
    }

    /**
     * Runs {@code program} as {@code __main__} and waits for it, at most the wall clock plus a
     * couple of seconds to collect the output. Never throws.
     */
    public SandboxResult run(String program) {
        try {
            return SandboxRun.run(tools, isolation, limits, program);
        } catch (RuntimeException e) {
            return SandboxResult.sandboxError("sandbox failure: " + e, 0);
        }
    }

    public SandboxIsolation isolation() {
        return isolation;
    }

    /** Whether the program runs with no network but its own loopback (a new network namespace). */
    public boolean networkIsolated() {
        return isolation.networkIsolated();
    }

    public SandboxLimits limits() {
        return limits;
    }
}
