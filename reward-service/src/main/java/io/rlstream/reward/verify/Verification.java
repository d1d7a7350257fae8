package io.rlstream.reward.verify;

/**
 * Outcome of checking one response: a score when the check could be made, or a failure with a
 * reason when it could not (which must never be read as a zero reward).
 *
 * @param ok        whether the check was made
 * @param score     the score; meaningful only when {@code ok}
 * @param extracted what the verifier extracted from the response (for debugging), may be empty
 * @param reason    why the check failed, or a short explanation of the score
 */
public record Verification(boolean ok, double score, String extracted, String reason) {

    public static Verification scored(double score, String extracted, String reason) {
        return new Verification(true, score, extracted, reason);
    }

    public static Verification failed(String reason) {
        return new Verification(false, Double.NaN, "", reason);
    }
}
