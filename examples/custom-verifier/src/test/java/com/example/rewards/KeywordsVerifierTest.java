package com.example.rewards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.rlstream.reward.verify.Verification;
import io.rlstream.reward.verify.Verifier;
import io.rlstream.reward.verify.VerifierSettings;
import io.rlstream.reward.verify.Verifiers;
import org.junit.jupiter.api.Test;

class KeywordsVerifierTest {

    private final KeywordsVerifier verifier = new KeywordsVerifier(1.0, 0.0);

    @Test
    void scoresTheShareOfKeywordsFoundAsWholeWordsIgnoringCase() {
        // 2 of 3 found ("Light", "chlorophyll"; "water" missing): 2/3.
        assertEquals(2.0 / 3, verifier.verify("Light hits the chlorophyll.", "light, chlorophyll, water").score(), 1e-12);
        // "lightning" is not the word "light": 0 of 1.
        assertEquals(0.0, verifier.verify("lightning", "light").score());
        assertEquals(1.0, verifier.verify("Water and LIGHT", "water,light").score());
    }

    @Test
    void theServicesScoresSetTheRange() {
        // incorrect −1, correct 1, 1 of 2 found: −1 + 2 · 1/2 = 0.
        assertEquals(0.0, new KeywordsVerifier(1.0, -1.0).verify("only light", "light, water").score(), 1e-12);
    }

    @Test
    void aReferenceWithoutKeywordsIsAFailedCheckNotAZero() {
        Verification v = verifier.verify("anything", " , ");
        assertFalse(v.ok());
    }

    @Test
    void theRewardServiceFindsItByNameThroughServiceLoader() {
        Verifier v = Verifiers.create("keywords", VerifierSettings.defaults().withScores(2.0, 0.0),
                getClass().getClassLoader());
        assertInstanceOf(KeywordsVerifier.class, v);
        // correct = 2, 1 of 2 found: 2 · 1/2 = 1.
        assertEquals(1.0, v.verify("water", "light, water").score(), 1e-12);
    }
}
