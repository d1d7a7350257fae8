package io.rlstream.reward.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RegexVerifierTest {

    private static final RegexVerifier FIND = new RegexVerifier(1.0, 0.0);
    private static final RegexVerifier ANSWER_LINE = new RegexVerifier("Answer:\\s*(\\S+)", 1.0, 0.0);

    /** The reference is found anywhere in the response. */
    static Stream<Arguments> findCases() {
        return Stream.of(
                Arguments.of("The capital is Paris.", "Paris", true, "substring"),
                Arguments.of("The capital is PARIS.", "(?i)\\bparis\\b", true, "inline case-insensitive flag"),
                Arguments.of("The capital is Parisian.", "\\bParis\\b", false, "word boundary"),
                Arguments.of("The capital is Paris.", "^Paris$", false, "anchors demand the whole response"),
                Arguments.of("Paris", "^Paris$", true, "anchored and whole"),
                Arguments.of("x = 142", "\\b42\\b", false, "42 inside 142"),
                Arguments.of("roots: 2, -3", "-3\\b", true, "negative root present"),
                Arguments.of("line one\nAnswer: yes", "(?m)^Answer: (yes|no)$", true, "multi-line flag"),
                Arguments.of("", "Paris", false, "empty response"));
    }

    @ParameterizedTest(name = "{3}")
    @MethodSource("findCases")
    void findsTheReferencePattern(String response, String reference, boolean correct, String why) {
        Verification v = FIND.verify(response, reference);
        assertTrue(v.ok(), () -> why + ": " + v.reason());
        assertEquals(correct ? 1.0 : 0.0, v.score(), why);
    }

    /** The reference must match the whole answer taken by {@code Answer:\s*(\S+)}. */
    static Stream<Arguments> answerCases() {
        return Stream.of(
                Arguments.of("Answer: 42", "4[02]", true, "matches the whole answer"),
                Arguments.of("Answer: 420", "4[02]", false, "matches only a prefix"),
                Arguments.of("Answer: 1\nOn reflection...\nAnswer: 40", "4[02]", true, "the last answer counts"),
                Arguments.of("Answer: 40\nOn reflection...\nAnswer: 1", "4[02]", false, "an earlier answer does not"),
                Arguments.of("Answer: B", "[Bb]|\\(B\\)", true, "alternatives in the reference"),
                Arguments.of("I think 42", "42", false, "no answer line: incorrect"));
    }

    @ParameterizedTest(name = "{3}")
    @MethodSource("answerCases")
    void matchesTheExtractedAnswer(String response, String reference, boolean correct, String why) {
        Verification v = ANSWER_LINE.verify(response, reference);
        assertTrue(v.ok(), () -> why + ": " + v.reason());
        assertEquals(correct ? 1.0 : 0.0, v.score(), why);
    }

    @Test
    void reportsTheAnswerAndWhyNot() {
        Verification v = ANSWER_LINE.verify("Answer: 420", "4[02]");
        assertEquals("420", v.extracted());
        assertEquals("does not match /4[02]/", v.reason());
        assertEquals("no answer found", ANSWER_LINE.verify("nothing", "42").reason());
        assertEquals("regex", FIND.name());
    }

    @Test
    void anInvalidOrMissingReferenceIsAFailure() {
        Verification invalid = FIND.verify("anything", "([a-z");
        assertFalse(invalid.ok());
        assertTrue(invalid.reason().contains("not a valid regular expression"), invalid.reason());
        assertFalse(FIND.verify("anything", null).ok());
        assertFalse(FIND.verify("anything", "  ").ok());
    }

    @Test
    void catastrophicBacktrackingStopsAsAFailure() {
        String response = "a".repeat(5_000);
        Verification v = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> FIND.verify(response, "(a+)+b"));
        assertFalse(v.ok());
        assertTrue(v.reason().contains("character reads"), v.reason());
        Verification small = new RegexVerifier(null, 1_000, 1.0, 0.0).verify("x".repeat(2_000), "y");
        assertFalse(small.ok(), "a budget smaller than one pass over the text stops a plain search too");
    }

    @Test
    void aStackOverflowIsAFailureNotACrash() {
        String response = "ab".repeat(5_000);
        Verification v = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> FIND.verify(response, "^(a|b)*c"));
        assertTrue(!v.ok() || v.score() == 0.0, v.reason());
    }

    @Test
    void onlyTheLastTenThousandCharactersAreRead() {
        String response = "START " + "x".repeat(20_000);
        assertEquals(0.0, FIND.verify(response, "START").score());
        assertEquals(1.0, FIND.verify("x".repeat(20_000) + " END", "END").score());
    }

    @Test
    void anAnswerPatternNeedsACaptureGroup() {
        assertThrows(IllegalArgumentException.class, () -> new RegexVerifier("Answer:\\s*\\S+", 1.0, 0.0));
        assertThrows(IllegalArgumentException.class, () -> new RegexVerifier("Answer:(", 1.0, 0.0));
        assertThrows(IllegalArgumentException.class, () -> new RegexVerifier((String) null, 1.0, 0.0));
    }
}
