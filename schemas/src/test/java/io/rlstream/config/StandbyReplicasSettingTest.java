package io.rlstream.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** streams.num.standby.replicas as Kafka Streams gets it (num.standby.replicas), for the services that declare it. */
class StandbyReplicasSettingTest {

    private static Properties streams(Map<String, String> settings) {
        var definition = ExactlyOnceStreams.defineStandbyReplicas(ServiceConfig.baseDef());
        return ExactlyOnceStreams.properties(new ServiceConfig(definition, settings), "app", "/tmp/s", 100);
    }

    @Test
    void theDefaultIsKafkasNoStandbyAndASettingReachesStreams() {
        assertEquals(0, streams(Map.of()).get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG));
        assertEquals(1, streams(Map.of(ExactlyOnceStreams.STANDBY_REPLICAS, "1")).get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG));
        // Streams reads it as num.standby.replicas: its own config parses what we put
        assertEquals(2, new StreamsConfig(withBootstrap(streams(Map.of(ExactlyOnceStreams.STANDBY_REPLICAS, "2"))))
                .getInt(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG));
    }

    @Test
    void aServiceWithoutTheSettingLeavesItToStreamsAndNegativeIsRefused() {
        Properties p = ExactlyOnceStreams.properties(new ServiceConfig(ServiceConfig.baseDef(), Map.of()), "app", "/tmp/s", 100);
        assertFalse(p.containsKey(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG));
        assertThrows(ConfigException.class, () -> streams(Map.of(ExactlyOnceStreams.STANDBY_REPLICAS, "-1")));
    }

    private static Properties withBootstrap(Properties p) {
        p.putIfAbsent(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
        return p;
    }
}
