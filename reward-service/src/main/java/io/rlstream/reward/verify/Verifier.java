package io.rlstream.reward.verify;

/** Scores a response against a prompt's reference answer. Implementations are pure and thread-safe. */
public interface Verifier {

    /** Registry name, e.g. {@code numeric-exact}. */
    String name();

    /**
     * @param response  the policy's decoded response
     * @param reference the prompt's reference answer
     */
    Verification verify(String response, String reference);
}
