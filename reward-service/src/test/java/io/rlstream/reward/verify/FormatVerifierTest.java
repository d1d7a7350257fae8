package io.rlstream.reward.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FormatVerifierTest {

    private static final FormatVerifier ANSWER_TAGS = new FormatVerifier();

    /** response, expected score, the reason (or a part of it), why. */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("<answer>42</answer>", 1.0, "one <answer></answer> pair", "just the pair"),
                Arguments.of("Let me think: 6 * 7 = 42.\n<answer> 42 </answer>\nDone.", 1.0, "one", "text around"),
                Arguments.of("<answer>\nx = 5\n</answer>", 1.0, "one", "multi-line content"),
                Arguments.of("", 0.0, "empty response", "empty"),
                Arguments.of("The answer is 42.", 0.0, "no <answer> tag", "no tags"),
                Arguments.of("<answer>42", 0.0, "never closed", "unclosed"),
                Arguments.of("42</answer>", 0.0, "no <answer> tag", "close tag only"),
                Arguments.of("<answer></answer>", 0.0, "nothing between", "empty content"),
                Arguments.of("<answer>  \n </answer>", 0.0, "nothing between", "blank content"),
                Arguments.of("<answer>1</answer> or <answer>2</answer>", 0.0, "2 <answer> and 2 </answer>",
                        "two answers: a hedge"),
                Arguments.of("<answer><answer>1</answer></answer>", 0.0, "expected exactly one pair", "nested"),
                Arguments.of("<answer>1 <answer>2</answer>", 0.0, "2 <answer> and 1 </answer>", "stray open tag"),
                Arguments.of("</answer>42<answer>", 0.0, "comes before", "reversed"),
                Arguments.of("<ANSWER>42</ANSWER>", 0.0, "no <answer> tag", "tags are case-sensitive"),
                Arguments.of("<answer >42</answer>", 0.0, "no <answer> tag", "tags are literal"));
    }

    @ParameterizedTest(name = "{3}")
    @MethodSource("cases")
    void rewardsExactlyOneWellFormedPair(String response, double score, String reason, String why) {
        Verification v = ANSWER_TAGS.verify(response, "ignored");
        assertTrue(v.ok(), why);
        assertEquals(score, v.score(), why);
        assertTrue(v.reason().contains(reason), () -> why + ": reason was '" + v.reason() + "'");
    }

    @Test
    void theContentIsTheExtractedAnswer() {
        assertEquals("x = 5", ANSWER_TAGS.verify("reasoning <answer>\n x = 5 \n</answer>", null).extracted());
    }

    @Test
    void ignoresTheReferenceEvenWhenMissing() {
        Verification v = ANSWER_TAGS.verify("<answer>42</answer>", null);
        assertTrue(v.ok());
        assertEquals(1.0, v.score());
    }

    @Test
    void customTagsAndScores() {
        FormatVerifier think = new FormatVerifier("<think>", "</think>", 0.5, -0.5);
        assertEquals(0.5, think.verify("<think>6*7</think> 42", "").score());
        assertEquals(-0.5, think.verify("<answer>42</answer>", "").score());
        assertEquals("format", think.name());
        assertEquals(1.0, new FormatVerifier("[[", "]]").verify("so [[42]]", "").score());
    }

    @Test
    void refusesTagsThatCannotBeToldApart() {
        assertThrows(IllegalArgumentException.class, () -> new FormatVerifier("", "</a>"));
        assertThrows(IllegalArgumentException.class, () -> new FormatVerifier("<a>", null));
        assertThrows(IllegalArgumentException.class, () -> new FormatVerifier("|", "|"));
        assertThrows(IllegalArgumentException.class, () -> new FormatVerifier("$", "$$"));
    }
}
