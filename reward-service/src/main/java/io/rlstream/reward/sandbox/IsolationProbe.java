package io.rlstream.reward.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Finds, once, the strongest sandbox this machine can run: every python3 on PATH, resolved to
 * its real interpreter (a pyenv shim needs the service's environment, which the sandbox clears),
 * tried under each combination of layers from strongest to weakest until a probe program prints
 * what it should. The order is by what a layer protects:
 * uid 65534 &gt; namespaces &gt; read-only mounts &gt; private /proc, and within a combination,
 * PATH order. So a root service whose first python3 lives under {@code /root} (unreadable to
 * uid 65534) gets the next python3 on PATH rather than losing the privilege drop.
 */
final class IsolationProbe {

    private static final String PROBE_PROGRAM = "print('ok')\n";
    private static final Duration RESOLVE_TIMEOUT = Duration.ofSeconds(10);

    private IsolationProbe() {
    }

    static SandboxIsolation strongest(SandboxTools tools, SandboxLimits limits, boolean auditHook) {
        String limitsTool = tools.prlimit().isPresent() ? "prlimit" : tools.bash().isPresent() ? "ulimit" : "none";
        boolean session = tools.setsid().isPresent();
        if (tools.pythons().isEmpty()) {
            return none(limitsTool, session, auditHook, "python3 not found on PATH (" + System.getenv("PATH")
                    + "); install Python 3.8 or newer or put its directory on the service's PATH");
        }
        List<String> failures = new ArrayList<>();
        List<Path> interpreters = resolve(tools.pythons(), failures);
        if (interpreters.isEmpty()) {
            return none(limitsTool, session, auditHook, "no python3 on PATH runs: " + firstOf(failures));
        }
        SandboxLimits probeLimits = limits
                .withWallClock(limits.wallClock().compareTo(Duration.ofSeconds(10)) < 0 ? Duration.ofSeconds(10) : limits.wallClock())
                .withCpuSeconds(Math.max(limits.cpuSeconds(), 2));
        for (boolean drop : options(tools.runsAsRoot() && tools.setpriv().isPresent())) {
            for (boolean namespaces : options(tools.unshare().isPresent())) {
                for (boolean readOnly : options(namespaces)) {
                    for (boolean privateProc : options(namespaces)) {
                        for (Path python : interpreters) {
                            SandboxIsolation layers = new SandboxIsolation(python, drop, drop || !tools.runsAsRoot(),
                                    namespaces, privateProc, readOnly, limitsTool, session, auditHook, "");
                            SandboxResult probe = SandboxRun.run(tools, layers, probeLimits, PROBE_PROGRAM);
                            if (probe.ok() && probe.stdout().equals("ok\n")) {
                                return new SandboxIsolation(python, drop, layers.unprivileged(), namespaces, privateProc,
                                        readOnly, limitsTool, session, auditHook, firstOf(failures));
                            }
                            failures.add(python + " with " + describe(layers) + ": " + probe.reason());
                        }
                    }
                }
            }
        }
        return none(limitsTool, session, auditHook, "python3 found but no sandbox ran it: " + firstOf(failures));
    }

    /** The first failures, strongest layers first, so the reason a layer is missing stays readable. */
    private static String firstOf(List<String> failures) {
        int shown = Math.min(3, failures.size());
        String first = String.join("; ", failures.subList(0, shown));
        return failures.size() > shown ? first + "; and " + (failures.size() - shown) + " more" : first;
    }

    private static List<Boolean> options(boolean available) {
        return available ? List.of(true, false) : List.of(false);
    }

    private static String describe(SandboxIsolation layers) {
        List<String> parts = new ArrayList<>();
        parts.add(layers.dropsToNobody() ? "uid 65534" : "own uid");
        parts.add(layers.namespaces() ? "namespaces" : "no namespaces");
        if (layers.readOnlyFilesystem()) {
            parts.add("read-only mounts");
        }
        if (layers.privateProc()) {
            parts.add("private /proc");
        }
        return String.join(", ", parts);
    }

    private static SandboxIsolation none(String limitsTool, boolean session, boolean auditHook, String problem) {
        return new SandboxIsolation(null, false, false, false, false, false, limitsTool, session, auditHook, problem);
    }

    /** The real interpreter behind each python3 (shims resolved), without duplicates, in PATH order. */
    static List<Path> resolve(List<Path> pythons, List<String> failures) {
        Set<Path> found = new LinkedHashSet<>();
        for (Path python : pythons) {
            try {
                Process p = new ProcessBuilder(python.toString(), "-c",
                        "import sys; assert sys.version_info >= (3, 8), 'Python 3.8+ is needed for audit hooks'; print(sys.executable)")
                        .redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .start();
                if (!p.waitFor(RESOLVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    failures.add(python + ": did not answer within " + RESOLVE_TIMEOUT.toSeconds() + " s");
                    continue;
                }
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                if (p.exitValue() != 0 || out.isEmpty()) {
                    failures.add(python + ": exit " + p.exitValue() + " " + out);
                    continue;
                }
                String[] lines = out.split("\\R");
                found.add(Path.of(lines[lines.length - 1]).toRealPath());
            } catch (IOException | RuntimeException e) {
                failures.add(python + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failures.add(python + ": interrupted");
                break;
            }
        }
        return new ArrayList<>(found);
    }
}
