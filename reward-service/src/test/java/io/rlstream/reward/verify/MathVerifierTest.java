package io.rlstream.reward.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The math verifier as a table: each case is one response, one reference, whether it is correct,
 * and why. Responses are written the way models write them for GSM8K-like and MATH-like problems.
 */
class MathVerifierTest {

    private static final MathVerifier VERIFIER = new MathVerifier(1.0, 0.0);

    record Case(String response, String reference, boolean correct, String why) {
        @Override
        public String toString() {
            return (correct ? "correct: " : "incorrect: ") + why;
        }
    }

    private static Case yes(String response, String reference, String why) {
        return new Case(response, reference, true, why);
    }

    private static Case no(String response, String reference, String why) {
        return new Case(response, reference, false, why);
    }

    static Stream<Case> gsm8kStyle() {
        return Stream.of(
                yes("Janet's ducks lay 16 eggs per day. She eats 3 and bakes with 4, so 16 - 3 - 4 = 9 eggs remain."
                        + " She sells them at $2 each: 9 * 2 = $18.\n#### 18", "18", "GSM8K '#### x' line"),
                yes("She uses 3 + 4 = 7 eggs, so she has 16 - 7 = 9 eggs left... so she makes 18 dollars. #### 18",
                        "18", "#### at the end of a line of prose"),
                yes("The answer is $1,080.", "1080", "dollar sign, thousands separator, full stop"),
                yes("**Answer:** 42", "42", "Markdown bold label"),
                yes("**Answer**: 42", "42", "Markdown bold around the word only"),
                yes("Answer: 42", "42", "plain label"),
                yes("answer: 42 apples", "42", "lower-case label, unit word"),
                yes("So the total is 5 + 7 = 12.\nThe answer is 12.", "12", "lm-eval CoT 'The answer is x.'"),
                no("So the total is 5 + 7 = 12.\nThe answer is 13.", "12", "wrong number"),
                yes("He runs 3 sprints 3 times a week, 60 meters each: 3*3*60 = 540 meters.\n#### 540", "540",
                        "#### after arithmetic"),
                yes("#### 1,080", "1080", "thousands separator after ####"),
                yes("#### $18", "18", "dollar sign after ####"),
                yes("#### 18.00", "18", "cents written out"),
                no("#### 17", "18", "off by one"),
                yes("The final answer is 18", "18", "'final answer is' without a full stop"),
                yes("The answer is: 18 eggs.", "18", "colon and unit word"),
                yes("The answer is 18 dollars.", "18", "currency word"),
                yes("She earns 9 * 2 = $18 every day.", "18", "no marker: last number"),
                no("She earns $18 every day, 7 days a week.", "18", "no marker: the last number is 7"),
                yes("Total cost: 3 x $4.50 = $13.50", "13.5", "last number, decimal money"),
                yes("#### 13.5", "13.50", "trailing zero in the reference"),
                yes("The answer is 0.5.", ".5", "leading zero only in the response"),
                yes("He has 20 - 12 = 8 left. The answer is 8", "8", "answer sentence after arithmetic"),
                yes("The answer is -3.", "-3", "negative number"),
                yes("It drops to \u22123 degrees. The answer is \u22123.", "-3", "Unicode minus sign"),
                yes("Let x be the number of cookies. Then 2x = 48, so x = 24\n#### 24", "24", "algebra then ####"),
                no("#### 24\nHmm, re-checking: the answer is 25.", "25", "#### outranks a later 'the answer is'"),
                yes("The answer is 18 because 16 - 3 - 4 = 9 and 9 * 2 = 18.", "18",
                        "number then prose in the answer sentence"),
                no("The answer is 5 or 6.", "5", "a hedge earns nothing"),
                no("The answer is 5 and 6.", "6", "two answers earn nothing"),
                yes("Therefore, the answer is $\\$18$.", "18", "escaped dollar inside math mode"),
                yes("The answer is 1,000,000.", "1000000", "two thousands separators"),
                no("The answer is 100.0", "1000", "looks close, ten times smaller"),
                no("#### 1000", "100.0", "looks close, ten times larger"),
                yes("#### Step 1: add\n3 + 4 = 7\nThe answer is 7", "7", "Markdown heading #### is not an answer"),
                yes("That makes 7 cakes in all. The answer is 7!", "7", "exclamation mark ends the sentence"),
                yes("Final Answer: The final answer is $18$. I hope it is correct.", "18", "Minerva's format"),
                yes("James buys 5 packs of 4 sodas, 5 * 4 = 20 sodas. #### 20", "20", "#### after units"),
                no("", "20", "empty response"),
                no("I don't know how to solve this problem.", "20", "no answer at all"),
                yes("The answer is 20 sodas", "20", "unit word, no full stop"),
                yes("#### 20 sodas", "20", "unit word after ####"),
                yes("He spent 3.5 hours, i.e. 210 minutes.\n#### 210", "210", "decimal earlier in the text"),
                yes("The answer is 3/4", "0.75", "fraction against decimal"),
                yes("So she keeps 75%. The answer is 75%.", "75", "percent sign dropped"),
                yes("The answer is 75", "75\\%", "percent sign in the reference"),
                no("The answer is 0.75", "75%", "percent is dropped, not divided by 100"),
                yes("#### -12", "-12", "negative after ####"),
                no("#### 12", "-12", "sign matters"),
                yes("The answer is +12", "12", "unary plus"),
                yes("She saves $0.50 a day.\n#### .5", "0.5", ".5 and 0.5"),
                yes("The answer is 2.50.", "2.5", "trailing zero then full stop"),
                yes("The answer is 12. (I checked it 3 times.)", "12", "answer sentence outranks the last number"),
                yes("The answer is \\$18.", "18", "escaped dollar outside math mode"),
                yes("#### 18 cm", "18", "unit after ####"),
                yes("The answer is 18cm.", "18", "attached common unit"),
                no("The answer is 2 x.", "2", "a one-letter word is a variable, not a unit"),
                yes("The answer is 50 percent.", "50", "'percent' as a word"),
                yes("Natalia sold 48 / 2 = 24 clips in May, 48 + 24 = 72 in all.\n#### 72",
                        "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\n"
                                + "Natalia sold 48+24 = <<48+24=72>>72 clips altogether in April and May.\n#### 72",
                        "a GSM8K answer field as the reference"),
                yes("The answer is 1,000.", "1000.0", "trailing .0 in the reference"),
                no("The answer is 1,0800.", "1080", "misplaced separator is not 1080"),
                yes("Each bag weighs 2.25 kg, so 4 bags weigh 9 kg. **Answer: 9**", "9", "bold around label and value"),
                yes("The answer is 9 kg.", "9.0", "unit and trailing zero"),
                no("Half of 18 is 9, so the answer is 9.", "18", "wrong: half"),
                yes("x + 3 = 10 so x = 7.", "7", "last number is the solved value"),
                yes("10 - 5 = 5", "5", "subtraction is not a negative number"),
                no("10 - 5", "-5", "the minus of a subtraction is not a sign"),
                yes("The answer is 3,500 dollars.", "3500", "separator and currency word"));
    }

    static Stream<Case> mathStyle() {
        return Stream.of(
                yes("Thus the probability is $\\boxed{\\frac{3}{4}}$.", "\\frac{3}{4}", "boxed fraction"),
                yes("$\\boxed{\\dfrac{\\sqrt{3}}{2}}$", "\\frac{\\sqrt{3}}{2}", "\\dfrac is \\frac"),
                yes("\\boxed{\\frac{\\sqrt3}{2}}", "\\frac{\\sqrt{3}}{2}", "\\sqrt3 shorthand"),
                yes("\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}", "\\left( 3, \\frac{\\pi}{2} \\right)",
                        "polar coordinates with \\left/\\right"),
                yes("\\boxed{(3,\\frac{\\pi}{2})}", "\\left( 3, \\frac{\\pi}{2} \\right)", "\\left/\\right and spaces"),
                no("\\boxed{\\left( 3, \\frac{\\pi}{4} \\right)}", "\\left( 3, \\frac{\\pi}{2} \\right)",
                        "wrong angle"),
                yes("The solution set is $\\boxed{[2, 5)}$.", "[2,5)", "half-open interval"),
                no("\\boxed{(2, 5)}", "[2,5)", "open is not half-open"),
                yes("\\boxed{(-\\infty, 3]}", "(-\\infty,3]", "interval to infinity"),
                yes("\\boxed{10\\%}", "10", "percent in a box"),
                yes("\\boxed{x = 5}", "5", "assignment in the response"),
                yes("\\boxed{5}", "x=5", "assignment in the reference"),
                yes("\\boxed{\\text{(B)}}", "\\text{(B)}", "choice as text"),
                yes("\\boxed{\\text{(B)}}", "B", "choice against bare letter"),
                yes("\\boxed{B}", "(B)", "bare letter against parenthesised"),
                no("\\boxed{\\text{(C)}}", "\\text{(B)}", "wrong choice"),
                yes("\\boxed{\\frac{1}{2}}", "0.5", "fraction against decimal"),
                yes("\\boxed{0.75}", "\\frac{3}{4}", "decimal against fraction"),
                no("\\boxed{\\frac{3}{4}}", "\\frac{4}{3}", "inverted fraction"),
                yes("\\boxed{\\frac{6}{8}}", "\\frac34", "unreduced fraction, shorthand reference"),
                yes("\\boxed{\\frac12}", "\\frac{1}{2}", "\\frac12 shorthand"),
                yes("\\boxed{-\\frac{1}{2}}", "\\frac{-1}{2}", "sign outside against inside"),
                yes("\\boxed{\\frac{1}{-2}}", "-\\frac{1}{2}", "sign in the denominator"),
                no("\\boxed{\\frac{1}{2}}", "-\\frac{1}{2}", "missing sign"),
                yes("\\boxed{3\\sqrt{2}}", "3\\sqrt2", "\\sqrt2 shorthand in the reference"),
                no("\\boxed{2\\sqrt{2}}", "\\sqrt{8}", "no symbolic algebra: equal values, different forms"),
                yes("\\boxed{90^\\circ}", "90", "degree mark"),
                yes("\\boxed{90^{\\circ}}", "90^\\circ", "both degree spellings"),
                yes("\\boxed{18 \\text{ cm}}", "18", "unit in \\text"),
                yes("\\boxed{6\\text{ cm}^2}", "6", "squared unit"),
                yes("\\boxed{\\$18.50}", "18.5", "money in a box"),
                yes("\\boxed{1,\\!000}", "1000", "MATH's 1,\\!000"),
                yes("\\boxed{1{,}000}", "1000", "1{,}000"),
                yes("\\boxed{1\\,000}", "1000", "thin-space separator"),
                yes("\\boxed{\\text{Devon}}", "\\text{Devon}", "a word answer"),
                yes("\\boxed{Devon}", "\\text{Devon}", "word with and without \\text"),
                yes("\\boxed{\\{1, 2, 3\\}}", "\\{1,2,3\\}", "set with escaped braces"),
                yes("\\boxed{\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}}", "\\begin{pmatrix}1\\\\2\\end{pmatrix}",
                        "vector, spaces differ"),
                yes("\\boxed{2x+3}", "2x + 3", "expression, spaces differ"),
                yes("\\boxed{y = 2x+3}", "2x+3", "line written as y ="),
                no("\\boxed{2x+3}", "2x-3", "wrong sign in an expression"),
                yes("\\boxed{x^2+y^2=1}", "x^2 + y^2 = 1", "an equation stays an equation"),
                yes("\\boxed{\\pi/2}", "\\frac{\\pi}{2}", "a/b against \\frac"),
                yes("\\boxed{\\frac\\pi2}", "\\frac{\\pi}{2}", "command as a shorthand argument"),
                yes("\\fbox{7}", "7", "\\fbox"),
                yes("so the answer is $\\boxed 7$.", "7", "brace-less \\boxed"),
                yes("\\boxed{\\theta = \\frac{\\pi}{4}}", "\\frac{\\pi}{4}", "Greek variable assignment"),
                yes("\\boxed{a_1 = 3}", "3", "subscripted variable"),
                yes("\\boxed{k = 1/2}", "\\frac{1}{2}", "assignment of a slash fraction"),
                no("\\boxed{f(2) = 5}", "5", "only single-variable assignments are dropped"),
                yes("\\boxed{6.02 \\times 10^{23}}", "6.02e23", "scientific notation both ways"),
                yes("\\boxed{3 \\cdot 10^5}", "300000", "\\cdot 10^5"),
                no("\\boxed{6.02 \\times 10^{22}}", "6.02e23", "wrong exponent"),
                yes("\\boxed{1.5E-4}", "0.00015", "E notation"),
                yes("\\boxed{2^{10}}", "1024", "integer power"),
                yes("\\boxed{10^{-3}}", "0.001", "negative power of ten"),
                yes("\\boxed{\\dfrac{5}{2}}", "2.5", "\\dfrac against decimal"),
                yes("\\boxed{\\tfrac{5}{2}}", "\\frac52", "\\tfrac against shorthand"),
                yes("\\boxed{\\mbox{5 dollars}}", "5", "\\mbox holding number and unit"),
                yes("\\boxed{12\\mbox{ inches}}", "12", "\\mbox unit"),
                yes("\\boxed{\\left[ -1, 1 \\right]}", "[-1,1]", "closed interval with \\left/\\right"),
                yes("\\boxed{2, 4}", "2,4", "list, spaces differ"),
                no("\\boxed{4, 2}", "2,4", "order matters: no set equality"),
                yes("\\boxed{1,234}", "1234", "a whole grouped number is one number"),
                no("\\boxed{(1,234)}", "1234", "inside a tuple the comma separates"),
                yes("\\boxed{3 \\text{ and } 5}", "3, 5", "\\text{ and } as a comma"),
                yes("\\boxed{\\sqrt{2}}", "\\sqrt2", "\\sqrt shorthand"),
                yes("\\boxed{\\frac{\\sqrt{2}}{2}}", "\\dfrac{\\sqrt{2}}{2}", "\\dfrac in the reference"),
                no("\\boxed{\\frac{\\sqrt{2}}{2}}", "\\frac{\\sqrt{3}}{2}", "wrong radicand"),
                yes("\\boxed{\\infty}", "\u221e", "infinity symbol"),
                yes("\\boxed{\\displaystyle\\frac{1}{3}}", "\\frac13", "\\displaystyle"),
                no("\\boxed{0.333}", "\\frac{1}{3}", "no floating-point tolerance"),
                yes("\\boxed{-7}", "-7", "negative integer"),
                no("\\boxed{7}", "-7", "missing sign"),
                yes("\\boxed{ 42 }", "42", "spaces in the box"),
                yes("\\boxed{042}", "42", "leading zero"),
                yes("\\boxed{5.}", "5", "trailing decimal point"),
                yes("\\boxed{\\$1,080}", "1080", "money with separator"),
                yes("\\boxed{16\\text{ square units}}", "16", "two-word unit"),
                yes("\\boxed{\\textbf{(A)}}", "A", "bold choice"),
                yes("\\boxed{3 + 4i}", "3+4i", "complex number"),
                no("\\boxed{3 - 4i}", "3+4i", "conjugate"),
                yes("\\boxed{x \\in [2, 5)}", "[2,5)", "set membership prefix"),
                yes("\\boxed{\\frac{-3}{4}}", "-0.75", "negative fraction against decimal"),
                yes("\\boxed{2.5}", "\\frac{5}{2}", "decimal against improper fraction"),
                yes("\\boxed{\\frac{5}{2}}", "5/2", "\\frac against slash"),
                yes("\\boxed{\\dfrac{1}{2}\\text{ hour}}", "0.5", "fraction with unit"),
                yes("\\boxed{1/2}", "\\frac{1}{2}", "slash fraction in the box"),
                no("\\boxed{1/3}", "\\frac{1}{2}", "wrong slash fraction"),
                no("\\boxed{\\frac{100}{3}}", "33\\frac{1}{3}", "mixed numbers are not parsed (ambiguous)"),
                yes("\\boxed{\\frac{\\frac{1}{2}}{3}}", "\\frac{1}{6}", "nested fraction"),
                yes("\\boxed{\\sqrt{\\frac{1}{2}}}", "\\sqrt{\\frac{1}{2}}", "nested braces in a radical"),
                yes("The area is \\(\\boxed{12\\text{ cm}^2}\\).", "12", "inline math delimiters"),
                yes("\\[\\boxed{\\frac{2}{3}}\\]", "\\frac{2}{3}", "display math delimiters"),
                yes("\\boxed{13}", "The hypotenuse is $\\sqrt{5^2+12^2} = \\boxed{13}$.", "a MATH solution as reference"),
                no("\\boxed{12}", "\\boxed{13}", "reference given boxed"),
                yes("\\boxed{\\{1,2\\}}", "\\{1, 2\\}", "escaped braces inside the box"),
                yes("\\boxed{\\text{odd}}", "\\text{odd}", "word answer in \\text"),
                no("\\boxed{\\text{even}}", "\\text{odd}", "wrong word"),
                yes("\\boxed{\\left\\{ 1, 2 \\right\\}}", "\\{1,2\\}", "\\left\\{"),
                yes("\\boxed{x \\leq 3}", "x \\le 3", "\\leq is \\le"),
                yes("\\boxed{\\binom{5}{2}}", "\\dbinom{5}{2}", "\\dbinom is \\binom"),
                yes("\\boxed{\\frac{1}{2}\\,\\text{cm}}", "\\frac{1}{2}", "thin space before the unit"),
                yes("\\boxed{\\mathbf{(D)}}", "D", "\\mathbf choice"));
    }

    static Stream<Case> tricky() {
        String reasoning = "We expand the product term by term and collect like terms, checking each step. ";
        String longReasoning = reasoning.repeat(400); // about 32,000 characters
        return Stream.of(
                yes("First guess: \\boxed{5}. Checking again, the final answer is \\boxed{6}.", "6", "the last box wins"),
                no("First guess: \\boxed{5}. Checking again, the final answer is \\boxed{6}.", "5",
                        "an earlier box does not count"),
                yes("\\boxed{3} and \\fbox{4}", "4", "the later of \\boxed and \\fbox"),
                yes("\\boxed{\\boxed{5}}", "5", "nested boxes"),
                yes("The answer is $\\boxed{\\frac{1}{2}$", "\\frac{1}{2}", "unclosed box: rest of its line"),
                yes("We get \\boxed{\\frac{1}{2}\nwhich is one half.", "0.5", "unclosed box stops at the line end"),
                no("so the answer is \\boxed{\\frac{1}{", "\\frac{1}{2}", "box truncated by the token limit"),
                no("}}}{{{\\boxed{}}}{", "1", "garbage braces"),
                yes("Please put your final answer in \\boxed{}.\nThe answer is 12", "12", "an empty box is skipped"),
                yes("$$\\boxed{\n\\frac{1}{2}\n}$$", "\\frac{1}{2}", "box spanning lines"),
                yes(longReasoning + "So the answer is $\\boxed{42}$.", "42", "32,000-character response"),
                no("\\boxed{42}" + longReasoning, "42", "only the last 10,000 characters are read"),
                yes("#### 7\n" + "x".repeat(9_000), "7", "#### within the last 10,000 characters"),
                yes("The answer is 12. \\boxed{12}", "12", "box outranks the answer sentence"),
                yes("The answer is 11. Wait, recompute: \\boxed{12}", "12", "box outranks an earlier sentence"),
                no("\\boxed{11}\n#### 12", "12", "box outranks ####"),
                yes("\\boxed{1e100000}", "1e100000", "huge exponents compare as text"),
                no("\\boxed{1e100000}", "1", "huge exponent is not parsed as a number"),
                yes("Answer: \\(x = 5\\)", "5", "label then inline math assignment"),
                yes("**Final Answer**\n\n$$\\boxed{-\\dfrac{7}{3}}$$", "-\\frac{7}{3}", "Markdown heading then box"),
                no("\\boxed{\\frac{7}{3}}", "-\\frac{7}{3}", "dropped minus sign"),
                yes("\\boxed{1000}", "1,000", "separator only in the reference"),
                no("\\boxed{1000}", "100.0", "1000 is not 100.0"),
                yes("\\boxed{0.75}", "3/4", "decimal against slash"),
                yes("\\boxed{75\\%}", "75", "percent in a box against a bare number"),
                no("\\boxed{5\\text{ (or 6)}}", "5", "a hedge in \\text is not a unit"),
                no("\\boxed{5\\text{ or 6}}", "6", "a hedge in \\text, either way"),
                no("\\boxed{5 \\text{ or } 6}", "5", "a hedge inside the box"),
                no("The answer is 5 or six.", "5", "a hedge with a spelled-out number"),
                no("The answer is 18 eggs or 19 eggs.", "18", "a hedge after a unit word"),
                no("The answer is 5 million.", "5", "a multiplier is not a unit"),
                yes("\\boxed{12\\text{ km/h}}", "12", "unit with a slash"),
                yes("\\boxed{9.8\\text{ m/s}^2}", "9.8", "unit with a slash and a square"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"gsm8kStyle", "mathStyle", "tricky"})
    void scoresTheFinalAnswer(Case c) {
        Verification v = VERIFIER.verify(c.response(), c.reference());
        assertTrue(v.ok(), () -> "check could not be made: " + v.reason());
        assertEquals(c.correct() ? 1.0 : 0.0, v.score(),
                () -> c.why() + ": extracted '" + v.extracted() + "', " + v.reason());
    }

    static Stream<String[]> extractions() {
        return Stream.of(
                new String[] {"so $\\boxed{\\frac{1}{2}}$.", "\\frac{1}{2}"},
                new String[] {"a \\boxed{1} b \\fbox{2} c", "2"},
                new String[] {"hence \\boxed 5$ done", "5"},
                new String[] {"#### 1,080", "1,080"},
                new String[] {"The answer is $1,080.", "$1,080"},
                new String[] {"**Answer:** 42", "42"},
                new String[] {"The answer is 18 because 2 * 9 = 18.", "18"},
                new String[] {"The answer is 3.5.", "3.5"},
                new String[] {"10-5", "5"},
                new String[] {"so x = -5", "-5"},
                new String[] {"about 6.02e23 atoms", "6.02e23"},
                new String[] {"the ratio is 3/4", "3/4"});
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("extractions")
    void extractsTheAnswerAsWritten(String response, String expected) {
        assertEquals(Optional.of(expected), MathVerifier.extractAnswer(response));
    }

    @Test
    void noAnswerIsEmptyNotAnError() {
        assertEquals(Optional.empty(), MathVerifier.extractAnswer("I cannot solve this."));
        assertEquals(Optional.empty(), MathVerifier.extractAnswer(""));
        assertEquals(Optional.empty(), MathVerifier.extractAnswer(null));
    }

    @Test
    void noAnswerScoresIncorrectWithAReason() {
        Verification v = new MathVerifier(1.0, -1.0).verify("I cannot solve this.", "7");
        assertTrue(v.ok());
        assertEquals(-1.0, v.score());
        assertEquals("no answer found", v.reason());
        Verification nullResponse = VERIFIER.verify(null, "7");
        assertTrue(nullResponse.ok());
        assertEquals(0.0, nullResponse.score());
    }

    @Test
    void scoresAreConfigurable() {
        MathVerifier plusMinus = new MathVerifier(1.0, -1.0);
        assertEquals(1.0, plusMinus.verify("\\boxed{7}", "7").score());
        assertEquals(-1.0, plusMinus.verify("\\boxed{8}", "7").score());
        assertEquals("math", plusMinus.name());
    }

    @Test
    void aMissingReferenceIsAFailureNotAZero() {
        for (String reference : new String[] {null, "", "   ", "$", "\\boxed{ }$ $"}) {
            Verification v = VERIFIER.verify("\\boxed{7}", reference);
            assertFalse(v.ok(), "reference '" + reference + "'");
            assertTrue(Double.isNaN(v.score()));
        }
    }

    @Test
    void reasonsSayWhatWasExpectedAndWhatCame() {
        Verification wrong = VERIFIER.verify("\\boxed{\\frac{4}{3}}", "0.75");
        assertEquals("\\frac{4}{3}", wrong.extracted());
        assertEquals("expected 0.75 (= 3/4), got \\frac{4}{3} (= 4/3)", wrong.reason());
        assertEquals("equal as numbers", VERIFIER.verify("\\boxed{0.75}", "3/4").reason());
        assertEquals("equal after normalisation", VERIFIER.verify("\\boxed{\\sqrt2}", "\\sqrt{2}").reason());
    }

    @Test
    void pathologicalInputsFinishQuicklyAndNeverThrow() {
        String[] inputs = {
            "\\boxed{".repeat(100_000),
            "{".repeat(200_000),
            "}".repeat(200_000),
            "1,".repeat(100_000),
            "answer is ".repeat(50_000),
            "The answer is " + "1".repeat(100_000),
            "####".repeat(50_000),
            "\\boxed{" + "\\text{".repeat(20_000),
            "\\boxed{" + "\\frac".repeat(20_000) + "}",
            "\\boxed{" + "9".repeat(5_000) + "}",
            "\\boxed{" + "1.5".repeat(3_000) + "}",
            "-".repeat(100_000) + "1",
            "\\boxed{" + "a ".repeat(2_000) + "}",
        };
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (String input : inputs) {
                VERIFIER.verify(input, "1");
                VERIFIER.verify("\\boxed{1}", input.substring(0, Math.min(input.length(), 20_000)));
            }
        });
    }

    @Test
    void randomLatexNeverThrows() {
        String[] pieces = {"\\boxed{", "\\fbox{", "{", "}", "\\frac", "\\sqrt", "\\text{", "\\left(", "\\right)",
            "$", "\\$", "####", "The answer is ", "Answer:", "1", "2", "0", ".", ",", "-", "+", "/", "=", "x", " ",
            "\n", "\\", "^", "_", "%", "\\%", "e", "E", "\\times10^{", "cm", "(", ")", "[", "]", "\\!", "{,}"};
        SplittableRandom random = new SplittableRandom(1);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (int n = 0; n < 20_000; n++) {
                StringBuilder response = new StringBuilder();
                StringBuilder reference = new StringBuilder();
                int length = random.nextInt(1, 40);
                for (int i = 0; i < length; i++) {
                    response.append(pieces[random.nextInt(pieces.length)]);
                    if (i % 3 == 0) {
                        reference.append(pieces[random.nextInt(pieces.length)]);
                    }
                }
                Verification v = VERIFIER.verify(response.toString(), reference.toString());
                assertTrue(!v.ok() || v.score() == 0.0 || v.score() == 1.0);
            }
        });
    }

    @Test
    void isThreadSafe() {
        Case c = yes("\\boxed{\\frac{3}{4}}", "0.75", "shared instance");
        long correct = Stream.generate(() -> c).limit(10_000).parallel()
                .filter(x -> VERIFIER.verify(x.response(), x.reference()).score() == 1.0)
                .count();
        assertEquals(10_000, correct);
    }
}
