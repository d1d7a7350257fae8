package io.rlstream.reward.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rlstream.reward.sandbox.SandboxResult.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The weaker sandboxes of machines without util-linux's prlimit or unshare: the limits and the
 * kill on timeout must still hold, and the sandbox must say which layers it lacks.
 */
class SandboxFallbacksTest {

    static SandboxTools found;

    @BeforeAll
    static void tools() {
        found = SandboxTools.discover();
        assumeFalse(found.pythons().isEmpty(), "python3 is not on PATH");
    }

    @Test
    void withoutPrlimitBashUlimitSetsTheLimits() {
        assumeTrue(found.bash().isPresent(), "no bash");
        SandboxTools noPrlimit = new SandboxTools(found.sh(), found.setsid(), Optional.empty(), found.bash(),
                found.setpriv(), found.unshare(), found.kill(), found.runsAsRoot(), found.pythons());
        PythonSandbox sandbox = new PythonSandbox(PythonSandboxTest.LIMITS, noPrlimit, true);
        assertEquals("ulimit", sandbox.isolation().resourceLimits(), sandbox.isolation().describe());
        SandboxResult busy = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> sandbox.run("while True:\n    pass\n"));
        assertEquals(Outcome.CPU_LIMIT, busy.outcome(), busy.toString());
        assertEquals(Outcome.MEMORY_LIMIT, sandbox.run("x = ' ' * 10**10\n").outcome());
    }

    @Test
    void withoutNamespacesTheGroupKillStillTakesTheChildren() {
        SandboxTools noUnshare = new SandboxTools(found.sh(), found.setsid(), found.prlimit(), found.bash(),
                found.setpriv(), Optional.empty(), found.kill(), found.runsAsRoot(), found.pythons());
        PythonSandbox sandbox = new PythonSandbox(PythonSandboxTest.LIMITS, noUnshare, false);
        assertFalse(sandbox.networkIsolated());
        assertFalse(sandbox.isolation().readOnlyFilesystem());
        String marker = Long.toString(100_000 + (long) (Math.random() * 800_000));
        SandboxResult hung = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> sandbox.run("import subprocess, time\nsubprocess.Popen(['sleep', '" + marker + "'])\ntime.sleep(600)\n"));
        assertEquals(Outcome.TIMEOUT, hung.outcome(), hung.toString());
        assertEquals(List.of(), PythonSandboxTest.processesMatching("sleep " + marker));
        assertTrue(sandbox.run("print('still works')\n").ok());
    }
}
