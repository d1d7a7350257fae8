package io.rlstream.reward.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PythonTracebackTest {

    @Test
    void bareAssertGetsItsLine() {
        String stderr = """
                Traceback (most recent call last):
                  File "main.py", line 7, in <module>
                    assert add(1, 2) == 3
                           ^^^^^^^^^^^^^^
                AssertionError
                """;
        assertEquals("AssertionError at main.py line 7: assert add(1, 2) == 3", PythonTraceback.summary(stderr));
    }

    @Test
    void theInnermostFrameIsTheLocation() {
        String stderr = """
                Traceback (most recent call last):
                  File "main.py", line 9, in <module>
                    assert f(0) == 1
                  File "main.py", line 2, in f
                    return 1 / x
                ZeroDivisionError: division by zero
                """;
        assertEquals("ZeroDivisionError: division by zero at main.py line 2: return 1 / x", PythonTraceback.summary(stderr));
    }

    @Test
    void syntaxErrorKeepsItsLine() {
        String stderr = """
                  File "main.py", line 1
                    def f(:
                          ^
                SyntaxError: invalid syntax
                """;
        assertEquals("SyntaxError: invalid syntax at main.py line 1: def f(:", PythonTraceback.summary(stderr));
    }

    @Test
    void memoryErrorIsRecognised() {
        assertTrue(PythonTraceback.isMemoryError("Traceback (most recent call last):\n  File \"main.py\", line 1, in <module>\n"
                + "    x = ' ' * 10**10\nMemoryError\n"));
        assertFalse(PythonTraceback.isMemoryError("ValueError: MemoryError is not this\n"));
        assertEquals("", PythonTraceback.summary("  \n"));
    }

    @Test
    void longSummariesAreCut() {
        String summary = PythonTraceback.summary("ValueError: " + "x".repeat(1000));
        assertEquals(PythonTraceback.MAX_LENGTH, summary.length());
    }
}
