package io.rlstream.reward.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rlstream.reward.verify.CodeVerifier;
import io.rlstream.reward.verify.Verification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sandbox against what candidate programs do: pass, fail, loop, eat memory, flood output, try
 * to write outside their folder, open sockets and start processes. Skipped where python3 is absent.
 */
class PythonSandboxTest {

    private static final PythonSandbox SANDBOX = new PythonSandbox(new SandboxLimits(Duration.ofSeconds(4), 2,
            256L << 20, 4096, 1 << 20));
    private static final CodeVerifier VERIFIER = new CodeVerifier(SANDBOX, 1.0, 0.0);
    private static final String TESTS = "assert add(1, 2) == 3\nassert add(-1, 1) == 0\n";

    @BeforeAll
    static void needsPython() {
        assumeTrue(SANDBOX.run("print('hi')").outcome() == SandboxResult.Outcome.OK, "python3 is not available here");
    }

    @Test
    void aCorrectProgramPassesItsTests() {
        Verification v = VERIFIER.verify("Here you go:\n```python\ndef add(a, b):\n    return a + b\n```\n", TESTS);
        assertTrue(v.ok());
        assertEquals(1.0, v.score());
    }

    @Test
    void aWrongProgramScoresIncorrectWithTheFailedAssertion() {
        Verification v = VERIFIER.verify("```python\ndef add(a, b):\n    return a - b\n```", TESTS);
        assertTrue(v.ok(), "the candidate's fault is a score, not a failed check");
        assertEquals(0.0, v.score());
        assertTrue(v.reason().contains("AssertionError"), v.reason());
    }

    @Test
    void anEndlessLoopIsStoppedAtTheLimitsAndScoresIncorrect() {
        long start = System.nanoTime();
        Verification v = VERIFIER.verify("```python\ndef add(a, b):\n    while True:\n        pass\n```", TESTS);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(v.ok());
        assertEquals(0.0, v.score());
        assertTrue(v.reason().contains("CPU limit") || v.reason().contains("timed out"), v.reason());
        assertTrue(seconds < 8, "stopped after " + seconds + " s");
    }

    @Test
    void aMemoryBombHitsTheMemoryLimit() {
        SandboxResult r = SANDBOX.run("x = ' ' * (10 ** 10)\n");
        assumeTrue(PythonSandbox.resourceLimited(), "prlimit is not available here");
        assertEquals(SandboxResult.Outcome.MEMORY_LIMIT, r.outcome(), r.stderr());
    }

    @Test
    void floodingOutputIsCappedNotBuffered() {
        SandboxResult r = SANDBOX.run("import sys\nfor _ in range(100000):\n    sys.stdout.write('x' * 100)\n");
        assertEquals(SandboxResult.Outcome.OK, r.outcome(), r.stderr());
        assertEquals(4096, r.stdout().length(), "10 MB written, the first 4 KiB kept");
        assertTrue(r.truncated());
    }

    @Test
    void writingOutsideItsFolderIsRefused() throws IOException {
        Path outside = Path.of(System.getProperty("java.io.tmpdir"), "rlstream-escape-" + UUID.randomUUID());
        SandboxResult r = SANDBOX.run("open(" + pythonString(outside.toString()) + ", 'w').write('escaped')\n");
        assertEquals(SandboxResult.Outcome.FAILED, r.outcome());
        assertTrue(r.stderr().contains("PermissionError"), r.stderr());
        assertFalse(Files.exists(outside), "nothing was written outside the sandbox folder");
    }

    @Test
    void readingOtherFilesIsRefused() {
        SandboxResult r = SANDBOX.run("print(open('/etc/hostname').read())\n");
        assertEquals(SandboxResult.Outcome.FAILED, r.outcome());
        assertTrue(r.stderr().contains("outside the work folder"), r.stderr());
    }

    @Test
    void writingInsideItsOwnFolderWorks() {
        SandboxResult r = SANDBOX.run("open('scratch.txt', 'w').write('ok')\nprint(open('scratch.txt').read())\n");
        assertEquals(SandboxResult.Outcome.OK, r.outcome(), r.stderr());
        assertEquals("ok", r.stdout().strip());
    }

    @Test
    void socketsAndNewProcessesAreRefused() {
        SandboxResult net = SANDBOX.run("import socket\nsocket.create_connection(('1.1.1.1', 53), timeout=2)\n");
        assertEquals(SandboxResult.Outcome.FAILED, net.outcome());
        assertTrue(net.stderr().contains("PermissionError"), net.stderr());
        SandboxResult spawn = SANDBOX.run("import subprocess\nsubprocess.run(['sleep', '1000'])\n");
        assertEquals(SandboxResult.Outcome.FAILED, spawn.outcome());
        assertTrue(spawn.stderr().contains("not allowed"), spawn.stderr());
        SandboxResult fork = SANDBOX.run("import os\nos.fork()\n");
        assertEquals(SandboxResult.Outcome.FAILED, fork.outcome());
    }

    @Test
    void theWorkFolderIsGoneAfterTheRun() {
        SandboxResult r = SANDBOX.run("import os\nprint(os.getcwd())\n");
        Path folder = Path.of(r.stdout().strip());
        assertTrue(folder.getFileName().toString().startsWith("rlstream-sandbox-"), r.stdout());
        assertFalse(Files.exists(folder));
    }

    @Test
    void aMissingInterpreterIsASandboxErrorAndAFailedCheck() {
        PythonSandbox none = new PythonSandbox(SandboxLimits.defaults(), "/nonexistent/python3");
        assertEquals(SandboxResult.Outcome.SANDBOX_ERROR, none.run("print(1)").outcome());
        Verification v = new CodeVerifier(none, 1, 0).verify("def add(a, b): return a + b", TESTS);
        assertFalse(v.ok(), "no verdict on the candidate: a failed check, never a zero");
    }

    @Test
    void theProgramIsTheLastFencedBlock() {
        String response = "First try:\n```python\nx = 1\n```\nBetter:\n```python\nx = 2\n```\nDone.";
        assertEquals("x = 2\n", CodeVerifier.extractProgram(response));
        assertEquals("y = 3\n", CodeVerifier.extractProgram("```\ny = 3\n```"));
        assertEquals("z = 4", CodeVerifier.extractProgram("z = 4"));
    }

    private static String pythonString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
