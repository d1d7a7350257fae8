package io.rlstream.reward.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rlstream.reward.sandbox.SandboxResult.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sandbox against the programs a policy could write: correct, wrong, endless, greedy,
 * chatty, forking, and ones that reach for files and the network. Each runs with the audit hook
 * and, where the point is the kernel's layers, without it. Skipped when there is no python3.
 */
class PythonSandboxTest {

    /** Short limits so the endless programs end within seconds. */
    static final SandboxLimits LIMITS = SandboxLimits.defaults()
            .withWallClock(Duration.ofSeconds(3))
            .withCpuSeconds(1)
            .withMemoryBytes(256L * 1024 * 1024);

    static PythonSandbox sandbox;
    /** No audit hook: what the namespaces, uid and rlimits stop on their own. */
    static PythonSandbox kernelOnly;

    @BeforeAll
    static void detect() {
        assumeFalse(SandboxTools.discover().pythons().isEmpty(), "python3 is not on PATH");
        sandbox = new PythonSandbox(LIMITS);
        kernelOnly = new PythonSandbox(LIMITS, false);
        System.out.println("sandbox isolation: " + sandbox.isolation().describe());
        assertNotNull(sandbox.isolation().python(), sandbox.isolation().problem());
    }

    @Test
    void correctProgramRunsToTheEnd() {
        SandboxResult r = sandbox.run("def add(a, b):\n    return a + b\n\nprint(add(1, 2))\nassert add(1, 2) == 3\n");
        assertEquals(Outcome.OK, r.outcome(), r.toString());
        assertEquals(0, r.exitCode());
        assertEquals("3\n", r.stdout());
        assertFalse(r.truncated());
    }

    @Test
    void failedAssertNamesTheLine() {
        SandboxResult r = sandbox.run("def add(a, b):\n    return a - b\n\nassert add(1, 2) == 3\n");
        assertEquals(Outcome.FAILED, r.outcome(), r.toString());
        assertEquals(1, r.exitCode());
        assertEquals("AssertionError at main.py line 4: assert add(1, 2) == 3", r.reason());
    }

    @Test
    void exceptionAndSyntaxErrorAreFailures() {
        SandboxResult error = sandbox.run("x = {}['missing']\n");
        assertEquals(Outcome.FAILED, error.outcome());
        assertTrue(error.reason().startsWith("KeyError: 'missing'"), error.reason());
        SandboxResult syntax = sandbox.run("def f(:\n    pass\n");
        assertEquals(Outcome.FAILED, syntax.outcome());
        assertTrue(syntax.reason().startsWith("SyntaxError"), syntax.reason());
    }

    @Test
    void exitingBeforeTheTestsIsNotAPass() {
        // The reward hack: leave with status 0 before the appended tests can fail.
        for (String exit : List.of("import sys; sys.exit(0)", "import os; os._exit(0)", "raise SystemExit")) {
            SandboxResult r = sandbox.run(exit + "\nassert False\n");
            assertEquals(Outcome.FAILED, r.outcome(), exit + ": " + r);
            assertEquals(0, r.exitCode());
            assertTrue(r.reason().contains("before its last line"), r.reason());
        }
    }

    @Test
    void stdinIsEmpty() {
        SandboxResult r = sandbox.run("input()\n");
        assertEquals(Outcome.FAILED, r.outcome());
        assertTrue(r.reason().startsWith("EOFError"), r.reason());
    }

    @Test
    void busyLoopStopsAtTheCpuLimit() {
        SandboxResult r = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> sandbox.run("while True:\n    pass\n"));
        assertTrue(r.outcome() == Outcome.CPU_LIMIT || r.outcome() == Outcome.TIMEOUT, r.toString());
        assertTrue(r.wallMillis() < LIMITS.wallClock().toMillis() + 500, "took " + r.wallMillis() + " ms");
    }

    @Test
    void sleeperTimesOutOnTheWallClock() {
        SandboxResult r = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> sandbox.run("import time\ntime.sleep(600)\n"));
        assertEquals(Outcome.TIMEOUT, r.outcome(), r.toString());
        assertEquals("timeout after 3 s", r.reason());
        assertTrue(r.wallMillis() >= 3000 && r.wallMillis() < 4000, "took " + r.wallMillis() + " ms");
    }

    @Test
    void memoryBombHitsTheMemoryLimit() {
        SandboxResult r = sandbox.run("x = ' ' * 10**10\n");
        assertEquals(Outcome.MEMORY_LIMIT, r.outcome(), r.toString());
        assertTrue(r.reason().startsWith("memory limit of 256 MiB: MemoryError"), r.reason());
    }

    @Test
    void tenMegabytesOfOutputAreCappedAndStopTheRun() {
        SandboxResult r = sandbox.run("import sys\nfor _ in range(10_000):\n    sys.stdout.write('x' * 1000 + '\\n')\n");
        assertEquals(Outcome.OUTPUT_LIMIT, r.outcome(), r.reason());
        assertTrue(r.truncated());
        assertTrue(r.stdout().length() <= LIMITS.outputBytes(), "kept " + r.stdout().length());
        assertTrue(r.stdout().startsWith("xxxx"));
    }

    @Test
    void oneHugeLineIsCappedToo() {
        SandboxResult r = sandbox.run("print('y' * 10_000_000)\n");
        assertEquals(Outcome.OUTPUT_LIMIT, r.outcome(), r.reason());
        assertTrue(r.stdout().length() <= LIMITS.outputBytes());
    }

    @Test
    void processesAreRefusedByTheAuditHook() {
        for (String spawn : List.of("import os\nos.fork()", "import os\nos.system('true')",
                "import subprocess\nsubprocess.run(['true'])", "import os\nos.execv('/bin/true', ['true'])")) {
            SandboxResult r = sandbox.run(spawn + "\n");
            assertEquals(Outcome.FAILED, r.outcome(), spawn);
            assertTrue(r.reason().contains("PermissionError: sandbox:"), spawn + ": " + r.reason());
        }
    }

    @Test
    void forkBombEndsAndLeavesNoProcess() {
        // Without the audit hook the fork bomb runs: RLIMIT_NPROC bounds it, the CPU limit or the
        // wall clock ends it, and the PID namespace (or the process-group kill) takes every child.
        SandboxResult r = assertTimeoutPreemptively(Duration.ofSeconds(15),
                () -> kernelOnly.run("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"));
        assertTrue(Set.of(Outcome.TIMEOUT, Outcome.CPU_LIMIT, Outcome.KILLED_BY_SIGNAL, Outcome.FAILED).contains(r.outcome()), r.toString());
        assertEquals(List.of(), sandboxProcessesLeft(), "processes left after the run");
    }

    @Test
    void childrenDieWithTheRun() {
        String marker = Long.toString(100_000 + (long) (Math.random() * 800_000));
        // A sleeping child left behind by a program that then ends normally...
        SandboxResult ended = kernelOnly.run("import subprocess\nsubprocess.Popen(['sleep', '" + marker + "'])\nprint('bye')\n");
        assertEquals(Outcome.OK, ended.outcome(), ended.toString());
        // ...and by one that hangs until the wall clock runs out.
        SandboxResult hung = kernelOnly.run("import subprocess, time\nsubprocess.Popen(['sleep', '" + marker + "'])\ntime.sleep(600)\n");
        assertEquals(Outcome.TIMEOUT, hung.outcome(), hung.toString());
        assertEquals(List.of(), processesMatching("sleep " + marker), "sleep children left after the run");
    }

    @Test
    void writingOutsideTheWorkDirIsBlocked() throws IOException {
        Path outside = Path.of("/tmp", "outside-" + UUID.randomUUID());
        String program = "open(" + pyString(outside.toString()) + ", 'w').write('escaped')\n";
        SandboxResult hooked = sandbox.run(program);
        assertEquals(Outcome.FAILED, hooked.outcome());
        assertTrue(hooked.reason().startsWith("PermissionError: sandbox: open for writing"), hooked.reason());
        assertFalse(Files.exists(outside), outside + " was written");

        // /tmp is writable by every user, so only the read-only mounts keep it out without the hook
        assumeTrue(kernelOnly.isolation().readOnlyFilesystem(), "no read-only mount namespace on this machine");
        SandboxResult kernel = kernelOnly.run(program);
        assertEquals(Outcome.FAILED, kernel.outcome(), kernel.toString());
        assertFalse(Files.exists(outside), outside + " was written without the audit hook");
        Files.deleteIfExists(outside);
    }

    @Test
    void hostFilesCannotBeChangedOrDeleted() throws IOException {
        // A file anyone may delete and write: only the sandbox can keep the program off it.
        Path dir = Files.createTempDirectory("rlstream-sandbox-test-");
        Path victim = dir.resolve("victim.txt");
        Files.writeString(victim, "intact");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-rw-rw-"));
        try {
            List<String> attacks = List.of(
                    "import os\nos.remove(" + pyString(victim.toString()) + ")\n",
                    "open(" + pyString(victim.toString()) + ", 'a').write('changed')\n",
                    "import os\nos.rename(" + pyString(victim.toString()) + ", 'stolen')\n",
                    "open('../../../../../../etc/passwd', 'a').write('x')\n");
            for (String attack : attacks) {
                SandboxResult r = sandbox.run(attack);
                assertEquals(Outcome.FAILED, r.outcome(), attack);
                assertTrue(r.reason().startsWith("PermissionError: sandbox:"), attack + ": " + r.reason());
                if (kernelOnly.isolation().readOnlyFilesystem()) {
                    SandboxResult k = kernelOnly.run(attack);
                    // the kernel's words vary: read-only file system, permission denied, cross-device link
                    assertEquals(Outcome.FAILED, k.outcome(), "without the hook: " + attack);
                }
                assertEquals("intact", Files.readString(victim), attack);
            }
        } finally {
            SandboxRun.deleteTree(dir);
        }
    }

    @Test
    void networkIsUnreachable() {
        String program = "import socket\ns = socket.socket()\ns.settimeout(2)\ns.connect(('1.1.1.1', 53))\n";
        SandboxResult hooked = sandbox.run(program);
        assertEquals(Outcome.FAILED, hooked.outcome());
        assertTrue(hooked.reason().startsWith("PermissionError: sandbox: socket.connect"), hooked.reason());

        assumeTrue(kernelOnly.networkIsolated(), "no network namespace on this machine");
        SandboxResult kernel = kernelOnly.run(program);
        assertEquals(Outcome.FAILED, kernel.outcome(), kernel.toString());
        assertTrue(kernel.reason().contains("Network is unreachable"), kernel.reason());
    }

    @Test
    void theWorkDirIsWritableAndGoneAfterwards() {
        SandboxResult r = sandbox.run("import os, tempfile\nopen('scratch.txt', 'w').write('x' * 1000)\n"
                + "with tempfile.NamedTemporaryFile() as t:\n    t.write(b'y')\nprint(os.getcwd())\n");
        assertEquals(Outcome.OK, r.outcome(), r.toString());
        Path work = Path.of(r.stdout().strip());
        assertTrue(work.getFileName().toString().startsWith("rlstream-sandbox-"), work.toString());
        assertFalse(Files.exists(work), work + " still exists");
    }

    @Test
    void noPythonIsASandboxErrorNotAFailure() {
        SandboxResult r = PythonSandboxes.withoutPython().run("print(1)\n");
        assertEquals(Outcome.SANDBOX_ERROR, r.outcome());
        assertTrue(r.reason().contains("python3 not found on PATH"), r.reason());
    }

    @Test
    void aSandboxThatCannotStartIsASandboxError() {
        // An address-space cap too small for Python itself: the program never ran, so this says
        // nothing about it.
        SandboxIsolation layers = sandbox.isolation();
        SandboxResult r = SandboxRun.run(SandboxTools.discover(), layers, LIMITS.withMemoryBytes(64L * 1024 * 1024)
                .withMaxProcesses(1), "print(1)\n");
        assertEquals(Outcome.SANDBOX_ERROR, r.outcome(), r.toString());
    }

    private static String pyString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static List<String> sandboxProcessesLeft() {
        return processesMatching("rlstream-sandbox-");
    }

    static List<String> processesMatching(String text) {
        long self = ProcessHandle.current().pid();
        return ProcessHandle.allProcesses()
                .filter(h -> h.pid() != self)
                .map(h -> h.info().commandLine())
                .flatMap(Optional::stream)
                .filter(c -> c.contains(text))
                .toList();
    }
}
