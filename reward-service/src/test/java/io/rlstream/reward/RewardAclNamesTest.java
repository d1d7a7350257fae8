package io.rlstream.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rlstream.ops.security.AclSet;
import org.junit.jupiter.api.Test;

/** rlstream acls grants the reward service the Streams application id the service itself reads: same key, same default. */
class RewardAclNamesTest {

    @Test
    void theAclSetUsesTheRewardServicesApplicationId() {
        assertEquals(RewardServiceConfig.APPLICATION_ID, AclSet.REWARD_APPLICATION_ID);
        assertEquals(RewardServiceConfig.DEFINITION.defaultValues().get(RewardServiceConfig.APPLICATION_ID),
                AclSet.DEFINITION.defaultValues().get(AclSet.REWARD_APPLICATION_ID));
    }
}
