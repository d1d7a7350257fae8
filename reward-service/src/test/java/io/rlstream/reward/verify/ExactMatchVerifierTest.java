package io.rlstream.reward.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ExactMatchVerifierTest {

    private static final ExactMatchVerifier CASE_SENSITIVE = new ExactMatchVerifier(1.0, 0.0);
    private static final ExactMatchVerifier IGNORE_CASE = new ExactMatchVerifier(true, 1.0, 0.0);

    /** response, reference, correct when case-sensitive, correct when ignoring case, why. */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("Paris", "Paris", true, true, "identical"),
                Arguments.of("  Paris \n", "Paris", true, true, "leading and trailing whitespace"),
                Arguments.of("New   York\tCity", "New York City", true, true, "inner whitespace runs collapse"),
                Arguments.of("New\u00a0York", "New York", true, true, "a no-break space is whitespace"),
                Arguments.of("paris", "Paris", false, true, "case differs"),
                Arguments.of("PARIS", "paris", false, true, "all capitals"),
                Arguments.of("Paris.", "Paris", false, false, "punctuation is not stripped"),
                Arguments.of("The answer is Paris", "Paris", false, false, "no extraction: the whole response"),
                Arguments.of("NewYork", "New York", false, false, "whitespace is collapsed, not removed"),
                Arguments.of("cafe\u0301", "caf\u00e9", true, true, "decomposed and composed e-acute (NFC)"),
                Arguments.of("42", "42.0", false, false, "no numeric comparison"),
                Arguments.of("Lyon", "Paris", false, false, "different answer"));
    }

    @ParameterizedTest(name = "{4}")
    @MethodSource("cases")
    void comparesNormalisedStrings(String response, String reference, boolean sensitive, boolean insensitive,
            String why) {
        assertEquals(sensitive ? 1.0 : 0.0, CASE_SENSITIVE.verify(response, reference).score(), why);
        assertEquals(insensitive ? 1.0 : 0.0, IGNORE_CASE.verify(response, reference).score(), why);
    }

    @Test
    void emptyResponseIsIncorrect() {
        Verification v = new ExactMatchVerifier(1.0, -1.0).verify("  ", "Paris");
        assertTrue(v.ok());
        assertEquals(-1.0, v.score());
        assertEquals("empty response", v.reason());
        assertEquals(-1.0, new ExactMatchVerifier(1.0, -1.0).verify(null, "Paris").score());
    }

    @Test
    void missingReferenceIsAFailure() {
        assertFalse(CASE_SENSITIVE.verify("Paris", null).ok());
        assertFalse(CASE_SENSITIVE.verify("Paris", " \n").ok());
    }

    @Test
    void reasonSaysWhatWasExpected() {
        Verification v = CASE_SENSITIVE.verify("Lyon", "Paris");
        assertEquals("Lyon", v.extracted());
        assertEquals("expected 'Paris'", v.reason());
        assertEquals("exact", CASE_SENSITIVE.name());
    }
}
