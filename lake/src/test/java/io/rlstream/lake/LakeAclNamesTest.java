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
        // the Iceberg sink's transactional ids (prefix + worker|coordinator + suffix) under the granted prefix
        assertTrue(new LakeConnectors("b:9092", "http://r", java.nio.file.Path.of("lake"), ConnectCommand.DEFAULT_TOPICS,
                java.util.Map.of()).iceberg().get(LakeConnectors.TRANSACTIONAL_PREFIX).startsWith(AclSet.CONNECTOR_PREFIX));
        assertEquals(LakeConnectors.CONTROL_TOPIC, AclSet.ICEBERG_CONTROL_TOPIC);
        assertEquals(LakeConnectors.DEAD_LETTER_TOPIC, AclSet.CONNECT_DEAD_LETTER_TOPIC);
        TopicCatalog catalog = TopicCatalog.defaults();
        assertEquals(ConnectCommand.DEFAULT_TOPICS, AclSet.CONNECT_TOPICS.stream().map(catalog::name).toList());
    }
}
