package io.rlstream.reward.verify;

/**
 * A verifier from outside this project: a user's jar on rlstream's class path names a class that
 * implements this in {@code META-INF/services/io.rlstream.reward.verify.VerifierProvider}, and
 * {@code reward.verifier} picks it by {@link #name()} as it picks a built-in one
 * ({@link java.util.ServiceLoader}). The built-in names come first and cannot be taken; two
 * providers with one name are a configuration error. examples/custom-verifier is a complete one.
 */
public interface VerifierProvider {

    /** The name {@code reward.verifier} selects it by, e.g. {@code keywords}; also the Reward's verifier field. */
    String name();

    /** One line for listings: what it checks. */
    default String description() {
        return "a plug-in verifier (" + getClass().getName() + ")";
    }

    /**
     * The verifier, built once per service from the reward service's settings (the correct and
     * incorrect scores at least). It must be thread-safe: every stream thread calls it.
     */
    Verifier create(VerifierSettings settings);
}
