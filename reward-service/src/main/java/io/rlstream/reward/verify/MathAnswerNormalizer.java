package io.rlstream.reward.verify;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites a final answer into a canonical string, so that answers which differ only in
 * typesetting compare equal. The rules follow the MATH dataset's {@code strip_string} in
 * {@code is_equiv} (Hendrycks et al., 2021, "Measuring Mathematical Problem Solving With the MATH
 * Dataset", github.com/hendrycks/math, {@code math_equivalence.py}; the same code is PRM800K's
 * {@code math_normalize.py} and verl's {@code prime_math/math_normalize.py}), with additions from
 * verl's {@code math_dapo.normalize_final_answer} (Minerva's normalisation) and verl's
 * {@code math.py} {@code strip_string} (Qwen2.5-Math's evaluation). Each step below names the
 * answer pair that motivated it; they run in this order:
 *
 * <ol>
 *   <li>Math delimiters and dollar signs go: {@code $\frac{1}{2}$} = {@code \frac{1}{2}},
 *       {@code \$18} = {@code 18} (a currency sign is not part of the number).</li>
 *   <li>{@code \left}, {@code \right}, {@code \bigl} etc. go: {@code \left( 3, \frac{\pi}{2}
 *       \right)} = {@code (3,\frac{\pi}{2})}; {@code \leftarrow} is left alone.</li>
 *   <li>Spacing commands go: {@code 1,\!000} = {@code 1,000} (MATH writes large numbers so),
 *       {@code 1\,000} = {@code 1000}, {@code 1{,}000} = {@code 1,000}; {@code \quad}, {@code \ }
 *       and {@code ~} become spaces; the row break {@code \\} of a matrix is not a space.</li>
 *   <li>{@code \dfrac}, {@code \tfrac} become {@code \frac} (and {@code \dbinom} {@code \binom}):
 *       {@code \dfrac{\sqrt{3}}{2}} = {@code \frac{\sqrt{3}}{2}}; {@code \displaystyle} goes;
 *       {@code \leq}, {@code \geq}, {@code \neq} become {@code \le}, {@code \ge}, {@code \ne}.</li>
 *   <li>Degree marks go: {@code 90^\circ} = {@code 90^{\circ}} = {@code 90°} = {@code 90}.</li>
 *   <li>Percent signs go: {@code 10\%} = {@code 10}. MATH's references usually drop the sign the
 *       question already asked for ("what percent ..."), and Hendrycks' {@code strip_string}
 *       removes it; so {@code 50%} equals {@code 50}, and deliberately does NOT equal
 *       {@code 0.5}.</li>
 *   <li>A trailing {@code \text{...}}, {@code \mbox{...}} or {@code \mathrm{...}} after something,
 *       holding only words (no digits, no brackets), is a unit and goes: {@code 18\text{ cm}} = {@code 18}, {@code 6\text{ cm}^2} = {@code 6},
 *       {@code 5\mbox{ dollars}} = {@code 5}; any other {@code \text{X}} (also {@code \textbf},
 *       {@code \mathbf}) becomes X: {@code \text{(B)}} = {@code (B)}, {@code \text{Devon}} =
 *       {@code Devon}; {@code \text{ and }} becomes a comma. So {@code 5\text{ (or 6)}} keeps its hedge
 *       and matches nothing.</li>
 *   <li>One single-variable assignment at the front goes: {@code x = 5} = {@code 5},
 *       {@code k=\frac{1}{2}} = {@code \frac{1}{2}}, {@code \theta = \frac{\pi}{4}},
 *       {@code a_1 = 3}; also {@code x \in [2,5)} = {@code [2,5)}. Only one {@code =} and only a
 *       single letter (with an optional subscript) or a Greek command on the left, so
 *       {@code x^2+y^2=1} and {@code f(2) = 5} stay whole.</li>
 *   <li>Words after a plain number are units or prose and go: {@code 18 eggs} = {@code 18},
 *       {@code 5 dollars} = {@code 5}, {@code 90 degrees} = {@code 90}, {@code 3/4 cup}; a word
 *       must have two letters or more, so {@code 2 x} keeps its variable; attached only for
 *       common units: {@code 18cm} = {@code 18}. Not when the first word joins a second answer or
 *       scales the number: {@code 5 or six} (a hedge) and {@code 5 million} stay whole.</li>
 *   <li>All whitespace goes: {@code [2, 5)} = {@code [2,5)}.</li>
 *   <li>Trailing periods go (the end of a sentence): {@code 18.} = {@code 18}; a leading
 *       {@code +} goes: {@code +5} = {@code 5}.</li>
 *   <li>Thousands separators go when the whole answer is one grouped number: {@code 1,080} =
 *       {@code 1080}; inside a larger expression commas separate items, so {@code (1,234)} stays a
 *       pair and {@code 12,34} stays as written.</li>
 *   <li>{@code \{} and {@code \}} become braces: {@code \{1,2\}} = {@code {1,2}}.</li>
 *   <li>TeX shorthand gets its braces: {@code \frac12} = {@code \frac{1}{2}},
 *       {@code \frac1{72}} = {@code \frac{1}{72}}, {@code \sqrt3} = {@code \sqrt{3}}; and one
 *       simple {@code a/b} becomes {@code \frac{a}{b}}: {@code \pi/2} = {@code \frac{\pi}{2}}.</li>
 *   <li>Decimals lose trailing zeros and gain a leading zero: {@code 2.50} = {@code 2.5},
 *       {@code .5} = {@code 0.5}, {@code 2.0} = {@code 2}, also inside tuples.</li>
 *   <li>A parenthesised choice letter becomes the letter: {@code (B)} = {@code B}.</li>
 * </ol>
 * Text comparison stays case-sensitive ({@code x} and {@code X} may be different objects).
 * Answers longer than {@value #MAX_ANSWER_CHARS} characters are not final answers; they are only
 * trimmed. Every step is a scan or a regular expression without nested quantifiers over at most
 * that many characters, and unbalanced braces leave the text as it is, so no input throws or
 * hangs.
 */
final class MathAnswerNormalizer {

    static final int MAX_ANSWER_CHARS = 2_000;

    private static final Pattern SIZING =
            Pattern.compile("\\\\(?:left|right|[bB]igg?[lr]?)(?![a-zA-Z])");
    private static final Pattern THIN_SPACES = Pattern.compile("(?<!\\\\)\\\\[!,;:>]");
    private static final Pattern WIDE_SPACES = Pattern.compile("\\\\q?quad(?![a-zA-Z])|(?<!\\\\)\\\\ |~");
    private static final Pattern LEQ = Pattern.compile("\\\\leq(?![a-zA-Z])");
    private static final Pattern GEQ = Pattern.compile("\\\\geq(?![a-zA-Z])");
    private static final Pattern NEQ = Pattern.compile("\\\\neq(?![a-zA-Z])");
    private static final Pattern TEXT_AND = Pattern.compile(",?\\s*\\\\text\\{\\s*and\\s*\\}\\s*");
    private static final Pattern UNIT_TEXT = Pattern.compile("\\\\(?:text|textrm|mbox|mathrm)\\{");
    private static final Pattern ANY_TEXT =
            Pattern.compile("\\\\(?:text|textrm|textbf|textit|textnormal|mbox|mathrm|mathbf|mathit)\\{");
    /** What a unit looks like: words, abbreviations, a slash or a power; no digits, no brackets. */
    private static final Pattern UNIT_WORDS = Pattern.compile("[A-Za-z .'/]*(?:\\^\\{?[23]\\}?[A-Za-z .]*)?");
    private static final Pattern SQUARED_UNIT = Pattern.compile("\\s*(?:\\^\\{?[23]\\}?)?\\s*\\.?\\s*");
    private static final Pattern VARIABLE =
            Pattern.compile("[A-Za-z](?:_\\{?[A-Za-z0-9]{1,3}\\}?)?|\\\\[a-zA-Z]{2,10}");
    private static final Pattern MEMBERSHIP = Pattern.compile("[A-Za-z]\\s*\\\\in(?![a-zA-Z])\\s*");
    private static final Pattern PLAIN_NUMBER = Pattern.compile(
            "[-+]?(?:\\d[\\d,]*(?:\\.\\d*)?|\\.\\d+)(?:/\\d+)?|[-+]?\\\\frac\\{[^{}]{1,40}\\}\\{[^{}]{1,40}\\}");
    /**
     * Words after a number that change its value or join a second answer, so they never go:
     * "5 or six" is a hedge, "5 million" is not 5.
     */
    static final Set<String> NOT_UNITS = Set.of("and", "or", "to", "plus", "minus", "times", "over", "divided",
            "out", "by", "of", "hundred", "thousand", "million", "billion", "trillion", "dozen", "squared", "cubed");
    private static final Set<String> ATTACHED_UNITS = Set.of(
            "cm", "mm", "km", "kg", "mg", "lb", "lbs", "oz", "ft", "mph", "sec", "min", "hr", "hrs", "ml");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final Pattern THOUSANDS = Pattern.compile("-?\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?");
    private static final Pattern DECIMAL = Pattern.compile("(?<![\\w.])(\\d*)\\.(\\d+)(?![\\d.])");
    private static final Pattern CHOICE = Pattern.compile("\\(([A-Ea-e])\\)");

    private MathAnswerNormalizer() {
    }

    static String normalize(String answer) {
        if (answer == null) {
            return "";
        }
        if (answer.length() > MAX_ANSWER_CHARS) {
            return answer.strip();
        }
        String s = answer.replace('\u2212', '-').replace("∞", "\\infty")
                .replace('\n', ' ').replace('\r', ' ').replace('\t', ' ').strip();
        // 1. delimiters, currency
        s = s.replace("\\$", "").replace("$", "")
                .replace("\\(", "").replace("\\)", "").replace("\\[", "").replace("\\]", "");
        // 2. sizing
        s = SIZING.matcher(s).replaceAll("");
        // 3. spacing
        s = s.replace("{,}", ",");
        s = THIN_SPACES.matcher(s).replaceAll("");
        s = WIDE_SPACES.matcher(s).replaceAll(" ");
        // 4. command variants
        s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac")
                .replace("\\dbinom", "\\binom").replace("\\tbinom", "\\binom").replace("\\displaystyle", "");
        s = LEQ.matcher(s).replaceAll("\\\\le");
        s = GEQ.matcher(s).replaceAll("\\\\ge");
        s = NEQ.matcher(s).replaceAll("\\\\ne");
        // 5. degrees; 6. percent
        s = s.replace("^{\\circ}", "").replace("^\\circ", "").replace("°", "");
        s = s.replace("\\%", "").replace("%", "");
        // 7. text
        s = TEXT_AND.matcher(s).replaceAll(",");
        s = dropTrailingUnitText(s);
        s = unwrapText(s).strip();
        // 8. assignment; 9. words after a number
        s = dropAssignment(s);
        s = dropTrailingWords(s);
        // 10. whitespace; 11. trailing periods, unary plus
        s = WHITESPACE.matcher(s).replaceAll("");
        while (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.startsWith("+")) {
            s = s.substring(1);
        }
        // 12. thousands
        if (THOUSANDS.matcher(s).matches()) {
            s = s.replace(",", "");
        }
        // 13. escaped braces; 14. shorthand
        s = s.replace("\\{", "{").replace("\\}", "}");
        s = fixShorthand(s, "\\frac", 2);
        s = fixShorthand(s, "\\sqrt", 1);
        s = slashToFrac(s);
        // 15. decimals
        s = canonicalDecimals(s);
        // 16. choice letters
        Matcher choice = CHOICE.matcher(s);
        if (choice.matches()) {
            s = choice.group(1).toUpperCase(Locale.ROOT);
        }
        return s;
    }

    /** {@code 18\text{ cm}} → {@code 18}: a text group at the very end, after something, is a unit. */
    static String dropTrailingUnitText(String s) {
        Matcher m = UNIT_TEXT.matcher(s);
        int start = -1;
        int close = -1;
        while (m.find()) {
            int c = LatexScan.closingBrace(s, m.end() - 1);
            if (c < 0) {
                return s;
            }
            start = m.start();
            close = c;
        }
        if (start <= 0 || s.substring(0, start).isBlank()) {
            return s;
        }
        String after = s.substring(close + 1);
        String unit = s.substring(s.indexOf('{', start) + 1, close);
        return SQUARED_UNIT.matcher(after).matches() && UNIT_WORDS.matcher(unit).matches()
                ? s.substring(0, start) : s;
    }

    /** {@code \text{(B)}} → {@code (B)}; an unclosed group loses only its command. */
    static String unwrapText(String s) {
        StringBuilder out = new StringBuilder(s.length());
        Matcher m = ANY_TEXT.matcher(s);
        int from = 0;
        while (m.find(from)) {
            out.append(s, from, m.start());
            int open = m.end() - 1;
            int close = LatexScan.closingBrace(s, open);
            if (close < 0) {
                from = open + 1;
                continue;
            }
            // The content may itself hold \text{...}; unwrapping is applied to it too.
            out.append(unwrapText(s.substring(open + 1, close)));
            from = close + 1;
        }
        out.append(s, from, s.length());
        return out.toString();
    }

    /** {@code x = 5} → {@code 5}; {@code x \in [2,5)} → {@code [2,5)}. */
    static String dropAssignment(String s) {
        int eq = s.indexOf('=');
        if (eq > 0 && eq == s.lastIndexOf('=')) {
            String right = s.substring(eq + 1).strip();
            if (!right.isEmpty() && VARIABLE.matcher(s.substring(0, eq).strip()).matches()) {
                return right;
            }
            return s;
        }
        Matcher membership = MEMBERSHIP.matcher(s);
        if (membership.lookingAt() && membership.end() < s.length()) {
            return s.substring(membership.end());
        }
        return s;
    }

    /** {@code 18 eggs} → {@code 18}; {@code 18cm} → {@code 18}; {@code 2 x} is left alone. */
    static String dropTrailingWords(String s) {
        int end = s.length();
        if (end > 0 && s.charAt(end - 1) == '.') {
            end--;
        }
        int i = end;
        boolean longWord = false;
        int run = 0;
        while (i > 0) {
            char c = s.charAt(i - 1);
            if (isAsciiLetter(c)) {
                run++;
                longWord |= run >= 2;
            } else if (c == ' ' || c == '\'') {
                run = 0;
            } else {
                break;
            }
            i--;
        }
        if (i == end || !longWord) {
            return s;
        }
        // Where the words start: skip the whitespace between the number and the first word.
        int wordsStart = i;
        while (wordsStart < end && s.charAt(wordsStart) == ' ') {
            wordsStart++;
        }
        String head = s.substring(0, i).strip();
        if (head.isEmpty() || !PLAIN_NUMBER.matcher(WHITESPACE.matcher(head).replaceAll("")).matches()) {
            return s;
        }
        boolean separated = wordsStart > i;
        String words = s.substring(wordsStart, end);
        int firstSpace = words.indexOf(' ');
        String firstWord = (firstSpace < 0 ? words : words.substring(0, firstSpace)).toLowerCase(Locale.ROOT);
        if (NOT_UNITS.contains(firstWord)) {
            return s;
        }
        return separated || ATTACHED_UNITS.contains(words) ? head : s;
    }

    /**
     * {@code \frac12} → {@code \frac{1}{2}}, {@code \frac1{72}} → {@code \frac{1}{72}},
     * {@code \sqrt3} → {@code \sqrt{3}}: TeX takes a single token as an argument.
     */
    static String fixShorthand(String s, String command, int arguments) {
        if (!s.contains(command)) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length() + 8);
        int i = 0;
        while (i < s.length()) {
            int at = s.indexOf(command, i);
            if (at < 0) {
                out.append(s, i, s.length());
                break;
            }
            int j = at + command.length();
            out.append(s, i, j);
            for (int a = 0; a < arguments && j < s.length(); a++) {
                char c = s.charAt(j);
                if (c == '{') {
                    int close = LatexScan.closingBrace(s, j);
                    int stop = close < 0 ? s.length() : close + 1;
                    out.append(s, j, stop);
                    j = stop;
                } else if (c == '[' || c == '}' || c == '^' || c == '_') {
                    break;
                } else {
                    int tokenEnd = tokenEnd(s, j);
                    out.append('{').append(s, j, tokenEnd).append('}');
                    j = tokenEnd;
                }
            }
            i = j;
        }
        return out.toString();
    }

    private static int tokenEnd(String s, int start) {
        if (s.charAt(start) != '\\') {
            return start + 1;
        }
        int k = start + 1;
        while (k < s.length() && isAsciiLetter(s.charAt(k))) {
            k++;
        }
        return k == start + 1 ? Math.min(start + 2, s.length()) : k;
    }

    /** One simple {@code a/b} as the whole answer becomes {@code \frac{a}{b}}: {@code \pi/2}. */
    static String slashToFrac(String s) {
        int slash = s.indexOf('/');
        if (slash <= 0 || slash == s.length() - 1 || slash != s.lastIndexOf('/')) {
            return s;
        }
        String a = s.substring(0, slash);
        String b = s.substring(slash + 1);
        return simpleOperand(a) && simpleOperand(b) ? "\\frac{" + a + "}{" + b + "}" : s;
    }

    private static boolean simpleOperand(String x) {
        if (x.contains("\\frac")) {
            return false;
        }
        for (int i = 0; i < x.length(); i++) {
            if ("+-=,()[]<>|*".indexOf(x.charAt(i)) >= 0) {
                return false;
            }
        }
        return true;
    }

    /** {@code 2.50} → {@code 2.5}, {@code .5} → {@code 0.5}, {@code 2.0} → {@code 2}. */
    static String canonicalDecimals(String s) {
        if (s.indexOf('.') < 0) {
            return s;
        }
        Matcher m = DECIMAL.matcher(s);
        StringBuilder out = new StringBuilder(s.length() + 2);
        while (m.find()) {
            String whole = m.group(1).isEmpty() ? "0" : m.group(1);
            String fraction = m.group(2);
            int keep = fraction.length();
            while (keep > 0 && fraction.charAt(keep - 1) == '0') {
                keep--;
            }
            String canonical = keep == 0 ? whole : whole + "." + fraction.substring(0, keep);
            m.appendReplacement(out, Matcher.quoteReplacement(canonical));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
