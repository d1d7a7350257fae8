package io.rlstream.reward.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rlstream.reward.sandbox.PythonSandbox;
import io.rlstream.reward.sandbox.PythonSandboxes;
import io.rlstream.reward.sandbox.SandboxLimits;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CodeVerifierTest {

    static final String TESTS = "assert add(1, 2) == 3\nassert add(-1, 1) == 0\n";

    static PythonSandbox sandbox;
    static CodeVerifier verifier;

    @BeforeAll
    static void sandbox() {
        sandbox = new PythonSandbox(SandboxLimits.defaults().withWallClock(Duration.ofSeconds(3)).withCpuSeconds(1));
        verifier = new CodeVerifier(sandbox, 1.0, 0.0);
    }

    static void assumePython() {
        assumeTrue(sandbox.isolation().python() != null, "no usable python3: " + sandbox.isolation().problem());
    }

    // --- extraction: no Python needed ---

    @Test
    void theLastPythonBlockIsTheProgram() {
        String response = "First try:\n```python\ndef add(a, b):\n    return a - b\n```\n"
                + "Shell:\n```bash\necho hi\n```\nFixed:\n```python\ndef add(a, b):\n    return a + b\n```\nDone.";
        assertEquals("def add(a, b):\n    return a + b\n", CodeVerifier.extractProgram(response));
    }

    @Test
    void withoutAPythonBlockTheLastFencedBlockIsTheProgram() {
        assertEquals("x = 1\n", CodeVerifier.extractProgram("```\ny = 2\n```\nthen\n```\nx = 1\n```"));
        assertEquals("x = 1\n", CodeVerifier.extractProgram("```py\nx = 1\n```"));
    }

    @Test
    void withoutAnyFenceTheWholeResponseIsTheProgram() {
        assertEquals("def add(a, b): return a + b", CodeVerifier.extractProgram("def add(a, b): return a + b"));
    }

    @Test
    void anUnclosedFenceRunsToTheEnd() {
        // a response cut at the token limit
        assertEquals("def add(a, b):\n    return a + b", CodeVerifier.extractProgram("Here:\n```python\ndef add(a, b):\n    return a + b"));
    }

    @Test
    void blankTestsAreAFailedCheckNotAZero() {
        Verification v = verifier.verify("def add(a, b): return a + b", "  ");
        assertFalse(v.ok());
        assertTrue(Double.isNaN(v.score()));
    }

    @Test
    void aResponseWithNoProgramIsIncorrect() {
        Verification v = verifier.verify("   ", TESTS);
        assertTrue(v.ok());
        assertEquals(0.0, v.score());
    }

    @Test
    void aSandboxIsRequired() {
        assertThrows(IllegalArgumentException.class, () -> new CodeVerifier(null, 1.0, 0.0));
    }

    // --- running: needs python3 ---

    @Test
    void aProgramThatPassesTheTestsIsCorrect() {
        assumePython();
        Verification v = verifier.verify("Sure:\n```python\ndef add(a, b):\n    return a + b\n```", TESTS);
        assertTrue(v.ok());
        assertEquals(1.0, v.score());
        assertEquals("def add(a, b): (32 chars)", v.extracted());
        assertEquals("all tests passed", v.reason());
    }

    @Test
    void aWrongProgramIsIncorrectWithTheFailedAssert() {
        assumePython();
        Verification v = verifier.verify("```python\ndef add(a, b):\n    return a * b\n```", TESTS);
        assertTrue(v.ok());
        assertEquals(0.0, v.score());
        // program (2 lines) + blank line + blank line, so the first test is line 5
        assertEquals("AssertionError at main.py line 5: assert add(1, 2) == 3", v.reason());
    }

    @Test
    void aHangingProgramIsIncorrectWithTheLimit() {
        assumePython();
        Verification v = verifier.verify("```python\nimport time\ntime.sleep(60)\ndef add(a, b):\n    return a + b\n```", TESTS);
        assertTrue(v.ok());
        assertEquals(0.0, v.score());
        assertEquals("timeout after 3 s", v.reason());
    }

    @Test
    void exitingBeforeTheTestsRunIsIncorrect() {
        assumePython();
        Verification v = verifier.verify("```python\nimport sys\ndef add(a, b):\n    return 0\nsys.exit(0)\n```", TESTS);
        assertTrue(v.ok());
        assertEquals(0.0, v.score());
        assertTrue(v.reason().contains("before its last line"), v.reason());
    }

    @Test
    void anUnusableSandboxIsAFailedCheck() {
        // a PATH with no python3 on it
        PythonSandbox none = PythonSandboxes.withoutPython();
        Verification v = new CodeVerifier(none, 1.0, 0.0).verify("def add(a, b): return a + b", TESTS);
        assertFalse(v.ok());
        assertTrue(v.reason().startsWith("could not run the program: no usable python3"), v.reason());
    }
}
