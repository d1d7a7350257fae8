package io.rlstream.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.reward.verify.ExactMatchVerifier;
import io.rlstream.reward.verify.NumericExactMatch;
import io.rlstream.reward.verify.VerifierSettings;
import io.rlstream.reward.verify.Verifiers;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class RewardServiceConfigTest {

    @Test
    void theVerifierSettingAcceptsExactlyTheRegisteredVerifiers() {
        assertEquals(Verifiers.validator().toString(),
                RewardServiceConfig.DEFINITION.configKeys().get(RewardServiceConfig.VERIFIER).validator.toString());
        for (String name : Verifiers.FAMILY.names()) {
            RewardServiceConfig c = new RewardServiceConfig(Map.of(RewardServiceConfig.VERIFIER, name,
                    RewardServiceConfig.MODEL_URL, "http://127.0.0.1:1/score",
                    RewardServiceConfig.REMOTE_URL, "http://127.0.0.1:1/get_reward"));
            assertEquals(name, c.verifier().name());
        }
        ConfigException e = assertThrows(ConfigException.class,
                () -> new RewardServiceConfig(Map.of(RewardServiceConfig.VERIFIER, "sympy")));
        assertTrue(e.getMessage().contains(RewardServiceConfig.VERIFIER)
                && e.getMessage().contains(String.join(", ", Verifiers.FAMILY.names())), e.getMessage());
    }

    @Test
    void settingsReachTheVerifiers() {
        RewardServiceConfig c = new RewardServiceConfig(Map.of(RewardServiceConfig.VERIFIER, "exact",
                RewardServiceConfig.EXACT_IGNORE_CASE, "true", RewardServiceConfig.INCORRECT, "-1",
                RewardServiceConfig.CODE_TIMEOUT_MS, "2500", RewardServiceConfig.CODE_MEMORY_MB, "64",
                RewardServiceConfig.FORMAT_OPEN, "<x>", RewardServiceConfig.FORMAT_CLOSE, "</x>"));
        VerifierSettings s = c.verifierSettings();
        assertEquals(-1.0, s.incorrect());
        assertEquals(Duration.ofMillis(2500), s.codeLimits().wallClock());
        assertEquals(64L * 1024 * 1024, s.codeLimits().memoryBytes());
        assertInstanceOf(ExactMatchVerifier.class, c.verifier());
        assertEquals(1.0, c.verifier().verify("YES", "yes").score());
        assertEquals(-1.0, c.verifier().verify("no", "yes").score());
        assertEquals(1.0, s.formatVerifier().verify("<x>1</x>", "").score());
        assertInstanceOf(NumericExactMatch.class, new RewardServiceConfig(Map.of()).verifier());
    }
}
