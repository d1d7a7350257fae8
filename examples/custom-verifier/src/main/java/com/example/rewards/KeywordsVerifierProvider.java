package com.example.rewards;

import io.rlstream.reward.verify.Verifier;
import io.rlstream.reward.verify.VerifierProvider;
import io.rlstream.reward.verify.VerifierSettings;

/**
 * Registers {@link KeywordsVerifier} as {@code reward.verifier=keywords}; named in
 * META-INF/services/io.rlstream.reward.verify.VerifierProvider so that ServiceLoader finds it.
 */
public final class KeywordsVerifierProvider implements VerifierProvider {

    @Override
    public String name() {
        return KeywordsVerifier.NAME;
    }

    @Override
    public String description() {
        return "partial credit: the share of the reference's comma-separated keywords found in the response";
    }

    @Override
    public Verifier create(VerifierSettings settings) {
        return new KeywordsVerifier(settings.correct(), settings.incorrect());
    }
}
