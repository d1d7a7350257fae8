package io.rlstream.reward.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry: every name builds the verifier of that name, with the settings it reads. */
class VerifiersTest {

    private static final VerifierSettings SETTINGS = VerifierSettings.defaults().withScores(1.0, -1.0);

    @Test
    void everyNameBuildsTheVerifierOfThatName() {
        assertEquals(List.of("numeric-exact", "math", "exact", "regex", "format", "code-python", "reward-model",
                        "remote"), Verifiers.FAMILY.names());
        VerifierSettings withModel = new VerifierSettings(1, 0, false, "<a>", "</a>", SETTINGS.codeLimits(),
                "http://127.0.0.1:1/score", SETTINGS.modelTimeout(), 1)
                .withRemote(new RemoteSettings("http://127.0.0.1:1/get_reward", "Authorization", "", 4,
                        java.time.Duration.ofMillis(50), java.time.Duration.ofSeconds(1), 1));
        for (String name : Verifiers.FAMILY.names()) {
            Verifier verifier = Verifiers.FAMILY.create(name, withModel);
            assertEquals(name, verifier.name());
            assertInstanceOf(Verifiers.FAMILY.entry(name).implementation(), verifier);
        }
    }

    @Test
    void theScoresAndEachVerifiersOwnSettingsReachIt() {
        assertEquals(-1.0, Verifiers.FAMILY.create("numeric-exact", SETTINGS).verify("84", "85").score());
        assertEquals(1.0, Verifiers.FAMILY.create("math", SETTINGS).verify("\\boxed{3/4}", "0.75").score());
        VerifierSettings ignoreCase = new VerifierSettings(1, 0, true, "<a>", "</a>", SETTINGS.codeLimits(), "",
                SETTINGS.modelTimeout(), 1);
        assertEquals(1.0, Verifiers.FAMILY.create("exact", ignoreCase).verify("PARIS", "paris").score());
        assertEquals(0.0, Verifiers.FAMILY.create("exact", SETTINGS.withScores(1, 0)).verify("PARIS", "paris").score());
        // the format check scores 1 or 0 and reads its tags from the settings
        assertEquals(1.0, Verifiers.FAMILY.create("format", ignoreCase).verify("x <a>42</a>", "").score());
        assertEquals(0.0, Verifiers.FAMILY.create("format", SETTINGS).verify("x <a>42</a>", "").score());
    }

    @Test
    void anUnknownNameNamesTheSettingAndTheKnownVerifiers() {
        var e = assertThrows(IllegalArgumentException.class, () -> Verifiers.FAMILY.create("sympy", SETTINGS));
        assertTrue(e.getMessage().contains("'sympy'") && e.getMessage().contains("reward.verifier")
                && e.getMessage().contains("numeric-exact, math, exact"), e.getMessage());
    }
}
