package io.rlstream.reward.sandbox;

import java.util.List;

/** Sandboxes for tests outside this package. */
public final class PythonSandboxes {

    private PythonSandboxes() {
    }

    /** A sandbox on a machine with no python3 on PATH: every run is a sandbox error. */
    public static PythonSandbox withoutPython() {
        SandboxTools found = SandboxTools.discover();
        SandboxTools without = new SandboxTools(found.sh(), found.setsid(), found.prlimit(), found.bash(),
                found.setpriv(), found.unshare(), found.kill(), found.runsAsRoot(), List.of());
        return new PythonSandbox(SandboxLimits.defaults(), without, true);
    }
}
