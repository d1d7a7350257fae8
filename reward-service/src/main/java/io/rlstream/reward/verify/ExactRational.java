package io.rlstream.reward.verify;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An exact rational number p/q in lowest terms with q &gt; 0, parsed from a normalised answer
 * (see {@link MathAnswerNormalizer}), so that {@code 0.75}, {@code 3/4}, {@code \frac{3}{4}} and
 * {@code \frac{6}{8}} are one value and {@code 1000} and {@code 100.0} are not. No floating point
 * anywhere: a reward must not depend on rounding.
 *
 * <p>Accepted forms, on text with no spaces:
 * <ul>
 *   <li>decimals: {@code 18}, {@code -3.50}, {@code .5}, {@code 5.}, with an optional exponent
 *       {@code 6.02e23}, {@code 1.5E-4};</li>
 *   <li>scientific notation in LaTeX: {@code 6.02\times10^{23}}, {@code 3\cdot10^5};</li>
 *   <li>an integer power of a natural number: {@code 2^{10}} = 1024, {@code 10^{-3}}, {@code 3^4}
 *       (exponent at most 999 in size, base at most six digits);</li>
 *   <li>{@code a/b} of two decimals: {@code 3/4}, {@code -1/2};</li>
 *   <li>{@code \frac{a}{b}} where a and b are themselves accepted forms, so the sign may be
 *       outside or inside: {@code -\frac{1}{2}}, {@code \frac{-1}{2}}, {@code \frac{1}{-2}};</li>
 *   <li>one pair of enclosing braces: {@code {5}}.</li>
 * </ul>
 * Anything else ({@code \sqrt{2}}, {@code \pi}, mixed numbers such as {@code 2\frac{1}{2}}, whose
 * meaning is ambiguous) is not a rational here and is compared as a string. A zero denominator
 * and exponents beyond ±{@value #MAX_EXPONENT} (which would build enormous integers) are refused.
 *
 * @param numerator   the numerator, carrying the sign
 * @param denominator the denominator, always positive
 */
record ExactRational(BigInteger numerator, BigInteger denominator) {

    static final int MAX_EXPONENT = 1000;
    private static final int MAX_DEPTH = 4;

    private static final Pattern DECIMAL =
            Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE]([-+]?\\d{1,6}))?");
    private static final Pattern POWER = Pattern.compile("(\\d{1,6})\\^(?:\\{(-?\\d{1,3})\\}|(\\d))");
    private static final Pattern TIMES_TEN =
            Pattern.compile("(.+?)\\\\(?:times|cdot)10\\^(?:\\{([-+]?\\d{1,6})\\}|(\\d))");

    ExactRational {
        if (denominator.signum() == 0) {
            throw new ArithmeticException("zero denominator");
        }
        if (denominator.signum() < 0) {
            numerator = numerator.negate();
            denominator = denominator.negate();
        }
        BigInteger gcd = numerator.gcd(denominator);
        if (!gcd.equals(BigInteger.ONE) && gcd.signum() != 0) {
            numerator = numerator.divide(gcd);
            denominator = denominator.divide(gcd);
        }
    }

    /** The value of a normalised answer, or empty when it is not an exact rational in a form above. */
    static Optional<ExactRational> parse(String normalised) {
        if (normalised == null || normalised.isEmpty() || normalised.length() > 2_000) {
            return Optional.empty();
        }
        return Optional.ofNullable(parse(normalised, 0));
    }

    private static ExactRational parse(String s, int depth) {
        if (depth > MAX_DEPTH || s.isEmpty()) {
            return null;
        }
        // Sign: "-\frac{1}{2}", "+5", "--5" is not a number anyone writes, so one sign at most.
        char first = s.charAt(0);
        if (first == '-' || first == '+') {
            ExactRational magnitude = unsigned(s.substring(1), depth);
            return magnitude == null ? null : first == '-' ? magnitude.negate() : magnitude;
        }
        return unsigned(s, depth);
    }

    private static ExactRational unsigned(String s, int depth) {
        if (s.isEmpty() || s.charAt(0) == '-' || s.charAt(0) == '+') {
            return null;
        }
        Matcher decimal = DECIMAL.matcher(s);
        if (decimal.matches()) {
            return decimal(decimal.group(1), decimal.group(2));
        }
        if (s.startsWith("\\frac{")) {
            return fraction(s, depth);
        }
        if (s.charAt(0) == '{' && LatexScan.closingBrace(s, 0) == s.length() - 1) {
            return parse(s.substring(1, s.length() - 1), depth + 1);
        }
        Matcher times = TIMES_TEN.matcher(s);
        if (times.matches()) {
            Matcher mantissa = DECIMAL.matcher(times.group(1));
            if (!mantissa.matches() || mantissa.group(2) != null) {
                return null;
            }
            String exponent = times.group(2) != null ? times.group(2) : times.group(3);
            return decimal(mantissa.group(1), exponent);
        }
        Matcher power = POWER.matcher(s);
        if (power.matches()) {
            int exponent = Integer.parseInt(power.group(2) != null ? power.group(2) : power.group(3));
            BigInteger base = new BigInteger(power.group(1));
            if (base.signum() == 0 && exponent < 0) {
                return null;
            }
            BigInteger magnitude = base.pow(Math.abs(exponent));
            return exponent >= 0 ? new ExactRational(magnitude, BigInteger.ONE) : new ExactRational(BigInteger.ONE, magnitude);
        }
        int slash = s.indexOf('/');
        if (slash > 0 && slash == s.lastIndexOf('/')) {
            ExactRational a = parse(s.substring(0, slash), depth + 1);
            ExactRational b = parse(s.substring(slash + 1), depth + 1);
            return a == null || b == null ? null : a.divide(b);
        }
        return null;
    }

    /** {@code \frac{a}{b}} spanning the whole string. */
    private static ExactRational fraction(String s, int depth) {
        int numeratorOpen = "\\frac".length();
        int numeratorClose = LatexScan.closingBrace(s, numeratorOpen);
        int denominatorOpen = numeratorClose + 1;
        if (numeratorClose < 0 || denominatorOpen >= s.length() || s.charAt(denominatorOpen) != '{') {
            return null;
        }
        int denominatorClose = LatexScan.closingBrace(s, denominatorOpen);
        if (denominatorClose != s.length() - 1) {
            return null;
        }
        ExactRational a = parse(s.substring(numeratorOpen + 1, numeratorClose), depth + 1);
        ExactRational b = parse(s.substring(denominatorOpen + 1, denominatorClose), depth + 1);
        return a == null || b == null ? null : a.divide(b);
    }

    private static ExactRational decimal(String digits, String exponent) {
        BigDecimal value = new BigDecimal(digits.endsWith(".") ? digits.substring(0, digits.length() - 1) : digits);
        if (exponent != null) {
            int e = Integer.parseInt(exponent);
            if (Math.abs(e) > MAX_EXPONENT) {
                return null;
            }
            value = value.scaleByPowerOfTen(e);
        }
        return of(value);
    }

    static ExactRational of(BigDecimal value) {
        int scale = value.scale();
        BigInteger unscaled = value.unscaledValue();
        return scale >= 0
                ? new ExactRational(unscaled, BigInteger.TEN.pow(scale))
                : new ExactRational(unscaled.multiply(BigInteger.TEN.pow(-scale)), BigInteger.ONE);
    }

    ExactRational negate() {
        return new ExactRational(numerator.negate(), denominator);
    }

    /** This divided by {@code other}, or null when {@code other} is zero. */
    ExactRational divide(ExactRational other) {
        if (other.numerator.signum() == 0) {
            return null;
        }
        return new ExactRational(numerator.multiply(other.denominator), denominator.multiply(other.numerator));
    }

    @Override
    public String toString() {
        return denominator.equals(BigInteger.ONE) ? numerator.toString() : numerator + "/" + denominator;
    }
}
