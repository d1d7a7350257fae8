package io.rlstream.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.ops.security.AclSet;
import io.rlstream.schemas.TopicCatalog;
import org.junit.jupiter.api.Test;

/** rlstream acls grants rlstream connect the names its connectors use: connector names, groups, topics. */
class LakeAclNamesTest {

    @Test
    void theAclSetCoversTheConnectorsNamesGroupsAndTopics() {
        for (String connector : new String[] {LakeConnectors.ICEBERG, LakeConnectors.JSONL}) {
            assertTrue(connector.startsWith(AclSet.CONNECTOR_PREFIX), connector);
            assertTrue(LakeConnectors.group(connector).startsWith(AclSet.CONNECT_GROUP_PREFIX), LakeConnectors.group(connector));
        }
        assertEquals(LakeConnectors.CONTROL_TOPIC, AclSet.ICEBERG_CONTROL_TOPIC);
        assertEquals(LakeConnectors.DEAD_LETTER_TOPIC, AclSet.CONNECT_DEAD_LETTER_TOPIC);
        TopicCatalog catalog = TopicCatalog.defaults();
        assertEquals(ConnectCommand.DEFAULT_TOPICS, AclSet.CONNECT_TOPICS.stream().map(catalog::name).toList());
    }
}
