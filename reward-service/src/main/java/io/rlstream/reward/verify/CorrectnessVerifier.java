package io.rlstream.reward.verify;

/**
 * The shape the rule-based verifiers share: a registry name and the two scores a right-or-wrong
 * judgement maps to ({@code correct} and {@code incorrect}: 1 and 0 by default, or ±1). A subclass
 * only judges; this class names and scores the judgement.
 */
public abstract class CorrectnessVerifier implements Verifier {

    private final String name;
    private final double correct;
    private final double incorrect;

    protected CorrectnessVerifier(String name, double correct, double incorrect) {
        this.name = name;
        this.correct = correct;
        this.incorrect = incorrect;
    }

    @Override
    public final String name() {
        return name;
    }

    /** {@code correct} when {@code right}, else {@code incorrect}, with what was read from the response and why. */
    protected final Verification judged(boolean right, String extracted, String reason) {
        return Verification.scored(right ? correct : incorrect, extracted, reason);
    }

    /** {@code incorrect}: the policy answered, badly (no answer found, an empty response, a failed test). */
    protected final Verification wrong(String extracted, String reason) {
        return judged(false, extracted, reason);
    }

    /** How much of a response or a reference a reason quotes. */
    static final int REASON_CHARS = 80;

    /** {@code s} cut to {@value #REASON_CHARS} characters, an ellipsis marking the cut. */
    static String clip(String s) {
        return clip(s, REASON_CHARS);
    }

    /** {@code s} cut to {@code max} characters, an ellipsis marking the cut: reasons stay one short line. */
    static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }
}
