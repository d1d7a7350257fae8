package io.rlstream.reward.sandbox;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The isolation layers a {@link PythonSandbox} found working on this machine when it was built,
 * strongest first. Each is detected by running a probe program through it, so a layer listed
 * here was seen to work, not merely assumed.
 *
 * @param python             the interpreter (its real path, not a pyenv shim); null when none
 *                           could run
 * @param dropsToNobody      the service runs as root and the sandbox switches to uid/gid 65534
 *                           before anything else (util-linux {@code setpriv})
 * @param unprivileged       the program's processes do not run as the host's root
 * @param namespaces         own user, network and PID namespaces ({@code unshare}): no network
 *                           but a private loopback, no view of or signal to host processes, and
 *                           every process killed when the sandbox's first process dies
 * @param privateProc        a {@code /proc} that shows only the sandbox's processes
 * @param readOnlyFilesystem a mount namespace in which every mount is read-only and the work dir
 *                           is a fresh size-capped tmpfs
 * @param resourceLimits     how rlimits are set: {@code prlimit}, {@code ulimit} (bash) or
 *                           {@code none}
 * @param ownSession         the sandbox runs in its own session and process group ({@code setsid}),
 *                           so a timeout kills the group
 * @param auditHook          the Python audit hook (PEP 578) that refuses writes outside the work
 *                           dir, processes, sockets and ctypes; defence in depth, not a boundary
 * @param problem            why a stronger layer or any Python was not available; empty when none
 */
public record SandboxIsolation(
        Path python,
        boolean dropsToNobody,
        boolean unprivileged,
        boolean namespaces,
        boolean privateProc,
        boolean readOnlyFilesystem,
        String resourceLimits,
        boolean ownSession,
        boolean auditHook,
        String problem) {

    public SandboxIsolation {
        resourceLimits = resourceLimits == null ? "none" : resourceLimits;
        problem = problem == null ? "" : problem;
    }

    /** Whether the program runs in a network namespace with nothing but its own loopback. */
    public boolean networkIsolated() {
        return namespaces;
    }

    /** One line listing the active layers, for the service's start-up log. */
    public String describe() {
        if (python == null) {
            return "no usable python3: " + problem;
        }
        List<String> layers = new ArrayList<>();
        if (dropsToNobody) {
            layers.add("uid 65534");
        } else if (unprivileged) {
            layers.add("unprivileged service user");
        } else {
            layers.add("host root (no privilege drop)");
        }
        if (namespaces) {
            layers.add("user+network+PID namespaces");
        }
        if (privateProc) {
            layers.add("private /proc");
        }
        if (readOnlyFilesystem) {
            layers.add("read-only mounts + tmpfs work dir");
        }
        layers.add("rlimits via " + resourceLimits);
        if (ownSession) {
            layers.add("own session");
        }
        if (auditHook) {
            layers.add("audit hook");
        }
        return python + ": " + String.join(", ", layers) + (problem.isEmpty() ? "" : " (" + problem + ")");
    }
}
