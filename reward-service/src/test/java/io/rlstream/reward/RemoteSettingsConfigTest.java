package io.rlstream.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.config.ServiceConfig;
import io.rlstream.reward.verify.RemoteSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** The remote verifier's settings: from the file and the environment to the client and the batching. */
class RemoteSettingsConfigTest {

    @Test
    void theTokenComesFromTheEnvironmentAndTheSettingsReachTheClientAndTheBatching() {
        Map<String, String> values = new HashMap<>(ServiceConfig.read(null,
                Map.of("RLSTREAM_REWARD_REMOTE_TOKEN", "from-a-secret", "RLSTREAM_REWARD_REMOTE_BATCH_SIZE", "8"),
                RewardServiceConfig.DEFINITION));
        values.put(RewardServiceConfig.VERIFIER, "remote");
        values.put(RewardServiceConfig.REMOTE_URL, "http://127.0.0.1:5000/get_reward");
        values.put(RewardServiceConfig.REMOTE_LINGER_MS, "250");
        RewardServiceConfig config = new RewardServiceConfig(values);
        RemoteSettings remote = config.verifierSettings().remote();
        assertEquals("from-a-secret", remote.token());
        assertEquals("Authorization", remote.authHeader());
        assertEquals(8, remote.batchSize());
        assertEquals(Duration.ofMillis(250), remote.linger());
        assertEquals(8, config.batching().size());
        assertEquals(Duration.ofMillis(250), config.batching().linger());
        assertEquals("remote", config.verifier().name());
        // The token is a password: it does not show in the printed configuration.
        assertTrue(!config.values().toString().contains("from-a-secret"), config.values().toString());
    }

    @Test
    void onlyTheRemoteVerifierBatchesAndItNeedsAUrl() {
        assertNull(new RewardServiceConfig(Map.of(RewardServiceConfig.VERIFIER, "math")).batching());
        ConfigException e = assertThrows(ConfigException.class,
                () -> new RewardServiceConfig(Map.of(RewardServiceConfig.VERIFIER, "remote")));
        assertTrue(e.getMessage().contains(RewardServiceConfig.REMOTE_URL), e.getMessage());
    }
}
