package io.rlstream.reward.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NumericExactMatchTest {

    private final NumericExactMatch verifier = new NumericExactMatch(1.0, 0.0);

    @Test
    void exactAnswerIsCorrect() {
        Verification v = verifier.verify("85", "85");
        assertTrue(v.ok());
        assertEquals(1.0, v.score());
        assertEquals("85", v.extracted());
    }

    @Test
    void numbersCompareAsExactDecimalsNotStrings() {
        assertEquals(1.0, verifier.verify("85.0", "85").score());
        assertEquals(1.0, verifier.verify("+85", "85").score());
        assertEquals(0.0, verifier.verify("85.01", "85").score());
    }

    @Test
    void theLastNumberIsTheAnswer() {
        // "37+48=85": the numbers are 37, +48, 85; the answer is the last.
        assertEquals(1.0, verifier.verify("37+48=85", "85").score());
        assertEquals(0.0, verifier.verify("85 or 86", "85").score());
    }

    @Test
    void wrongOrMissingAnswerIsIncorrectNotFailed() {
        Verification wrong = verifier.verify("84", "85");
        assertTrue(wrong.ok());
        assertEquals(0.0, wrong.score());
        Verification none = verifier.verify("", "85");
        assertTrue(none.ok());
        assertEquals(0.0, none.score());
    }

    @Test
    void incorrectScoreIsConfigurable() {
        assertEquals(-1.0, new NumericExactMatch(1.0, -1.0).verify("7", "8").score());
    }

    @Test
    void missingOrNonNumericReferenceIsAFailureNotAZero() {
        Verification missing = verifier.verify("85", null);
        assertFalse(missing.ok());
        assertTrue(missing.reason().contains("no reference"));
        Verification text = verifier.verify("85", "eighty-five");
        assertFalse(text.ok());
        assertTrue(Double.isNaN(text.score()));
    }
}
