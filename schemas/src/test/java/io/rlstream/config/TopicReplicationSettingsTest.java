package io.rlstream.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** topic.replication.factor and topic.min.insync.replicas as Kafka Streams gets them for its internal topics. */
class TopicReplicationSettingsTest {

    private static Properties streams(Map<String, String> settings) {
        return ExactlyOnceStreams.properties(new ServiceConfig(ServiceConfig.baseDef(), settings), "app", "/tmp/s", 100);
    }

    @Test
    void automaticLeavesBothToTheBroker() {
        Properties p = streams(Map.of());
        // -1 is Streams' own "the broker's default.replication.factor"
        assertEquals(-1, p.get("replication.factor"));
        assertFalse(p.containsKey("topic.min.insync.replicas"), "the broker's min.insync.replicas");
    }

    @Test
    void aReplicationFactorBringsMinInsyncOfMin2AndRf() {
        // by hand: min(2, 3) = 2, min(2, 1) = 1
        assertEquals(3, streams(Map.of("topic.replication.factor", "3")).get("replication.factor"));
        assertEquals("2", streams(Map.of("topic.replication.factor", "3")).get("topic.min.insync.replicas"));
        assertEquals("1", streams(Map.of("topic.replication.factor", "1")).get("topic.min.insync.replicas"));
        assertEquals("3", streams(Map.of("topic.replication.factor", "3", "topic.min.insync.replicas", "3"))
                .get("topic.min.insync.replicas"));
    }

    @Test
    void zeroAndBelowMinusOneAreRefused() {
        for (String bad : new String[] {"0", "-2"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> streams(Map.of("topic.replication.factor", bad)));
            assertEquals(true, e.getMessage().contains("must be -1 (automatic) or at least 1"), e.getMessage());
            assertThrows(ConfigException.class, () -> streams(Map.of("topic.min.insync.replicas", bad)));
        }
    }
}
