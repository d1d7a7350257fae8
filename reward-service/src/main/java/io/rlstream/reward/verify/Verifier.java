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

    /**
     * The same check with the prompt's text as well. Only verifiers that judge a response in its
     * context (a reward model) use it; the others compare with the reference alone.
     */
    default Verification verify(String prompt, String response, String reference) {
        return verify(response, reference);
    }
}
