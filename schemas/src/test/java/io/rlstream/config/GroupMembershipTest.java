package io.rlstream.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class GroupMembershipTest {

    private static ServiceConfig config(Map<String, String> settings) {
        return new ServiceConfig(GroupMembership.define(ServiceConfig.baseDef(), "worker.id"), settings);
    }

    @Test
    void emptyDerivesTheIdNoneIsDynamicAnythingElseIsTaken() {
        assertEquals("worker-3", GroupMembership.instanceId(config(Map.of()), "worker-3"));
        assertEquals(null, GroupMembership.instanceId(config(Map.of(GroupMembership.INSTANCE_ID, "none")), "worker-3"));
        assertEquals(null, GroupMembership.instanceId(config(Map.of(GroupMembership.INSTANCE_ID, "NONE")), "worker-3"));
        assertEquals("rewards-a", GroupMembership.instanceId(config(Map.of(GroupMembership.INSTANCE_ID, "rewards-a")), "x"));
    }

    @Test
    void consumerSettingsCarryTheIdAndTheShortSession() {
        Map<String, Object> s = GroupMembership.consumerSettings(config(Map.of()), "worker-0");
        assertEquals(Map.of("group.instance.id", "worker-0", "session.timeout.ms", 10_000), s);
        Map<String, Object> dynamic = GroupMembership.consumerSettings(
                config(Map.of(GroupMembership.INSTANCE_ID, "none", GroupMembership.SESSION_TIMEOUT_MS, "45000")), "w");
        assertEquals(Map.of("session.timeout.ms", 45_000), dynamic);
    }

    @Test
    void aSessionShorterThanTheBrokersMinimumIsRefusedAtStart() {
        assertThrows(ConfigException.class, () -> config(Map.of(GroupMembership.SESSION_TIMEOUT_MS, "5999")));
    }

    @Test
    void theDerivedStreamsIdIsStablePerStateFolderAndDiffersBetweenFolders() {
        String a = GroupMembership.derivedFromStateDir("/tmp/state-a");
        assertEquals(a, GroupMembership.derivedFromStateDir("/tmp/state-a/"));
        assertEquals(a, GroupMembership.derivedFromStateDir("/tmp/./state-a"));
        assertNotEquals(a, GroupMembership.derivedFromStateDir("/tmp/state-b"));
        // rlstream-<host>-<8 hex digits>
        assertTrue(a.matches("rlstream-.+-[0-9a-f]{8}"), a);
    }

    @Test
    void streamsPropertiesSetTheMainConsumerOnlyAndOnlyWhenDeclared() {
        Properties props = ExactlyOnceStreams.properties(config(Map.of(GroupMembership.INSTANCE_ID, "proc-1")),
                "app", "/tmp/s", 100);
        assertEquals("proc-1", props.get("main.consumer.group.instance.id"));
        assertEquals(10_000, props.get("main.consumer.session.timeout.ms"));
        assertFalse(props.containsKey("group.instance.id"), "not for the restore and global consumers");
        Properties undeclared = ExactlyOnceStreams.properties(new ServiceConfig(ServiceConfig.baseDef(), Map.of()),
                "app", "/tmp/s", 100);
        assertFalse(undeclared.containsKey("main.consumer.group.instance.id"));
    }
}
