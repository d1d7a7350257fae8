package io.rlstream.reward.verify;

import java.util.ArrayList;
import java.util.List;

/** Scores a response against a prompt's reference answer. Implementations are pure and thread-safe. */
public interface Verifier {

    /** Registry name, e.g. {@code numeric-exact}. */
    String name();

    /**
     * Whether every verification ends in time bounded by its input: pure parsing and comparison
     * with limits of its own, no I/O, no subprocess, no model. The reward service runs a bounded
     * verifier on its stream thread; any other runs on a verifier thread that is abandoned at
     * {@code reward.verifier.timeout.ms}, which costs two thread hand-offs per verification (about
     * a third of the reward service's CPU per rollout in {@code bench processors},
     * docs/benchmarks.md). False unless a verifier says so: a plug-in, a sandbox or an endpoint
     * keeps the time limit.
     */
    default boolean bounded() {
        return false;
    }

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

    /** One response to check: its prompt's text, the response, the prompt's reference answer. */
    record Check(String prompt, String response, String reference) {
    }

    /**
     * Checks several responses at once, one Verification per check in the same order. The default
     * checks them one by one; a verifier that gains from batches (a remote endpoint) sends them
     * together. A failed batch is a failed Verification for each of its checks, never zeros.
     */
    default List<Verification> verifyAll(List<Check> checks) {
        List<Verification> out = new ArrayList<>(checks.size());
        for (Check c : checks) {
            out.add(verify(c.prompt(), c.response(), c.reference()));
        }
        return out;
    }
}
