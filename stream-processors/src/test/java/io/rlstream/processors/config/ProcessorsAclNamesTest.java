package io.rlstream.processors.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rlstream.ops.security.AclSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * rlstream acls grants the grouping, step-summary and dispatcher-query apps the application ids
 * (and the grouping app the output prefix) the processors themselves read: same keys, same defaults.
 */
class ProcessorsAclNamesTest {

    @Test
    void theAclSetUsesTheProcessorsOwnKeysAndDefaults() {
        Map<String, String> keys = Map.of(
                ProcessorsConfig.APPLICATION_ID, AclSet.PROCESSORS_APPLICATION_ID,
                ProcessorsConfig.SUMMARY_APPLICATION_ID, AclSet.SUMMARY_APPLICATION_ID,
                ProcessorsConfig.QUERY_APPLICATION_ID, AclSet.QUERY_APPLICATION_ID,
                ProcessorsConfig.OUTPUT_TOPIC_PREFIX, AclSet.OUTPUT_TOPIC_PREFIX);
        Map<String, Object> ours = ProcessorsConfig.DEFINITION.defaultValues();
        Map<String, Object> acls = AclSet.DEFINITION.defaultValues();
        keys.forEach((processorsKey, aclKey) -> {
            assertEquals(processorsKey, aclKey);
            assertEquals(ours.get(processorsKey), acls.get(aclKey), processorsKey);
        });
    }
}
