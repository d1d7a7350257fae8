package io.rlstream.monitoring.summary;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rlstream.config.ServiceConfig;
import io.rlstream.schemas.TopicCatalog;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** The step-summary app runs with the shared exactly-once settings, under its own id, committing once per emit. */
class StepSummaryAppTest {

    @Test
    void exactlyOnceUnderItsOwnIdCommittingNoMoreOftenThanItEmits() {
        ServiceConfig config = new ServiceConfig(ServiceConfig.baseDef(),
                Map.of(ServiceConfig.BOOTSTRAP_SERVERS, "broker:9092", "kafka.client.rack", "r1"));
        Properties p = StepSummaryApp.streamsProperties(config, new StepSummaryApp.Settings(TopicCatalog.defaults(),
                "rlstream-step-summary", "/tmp/state", 100, Duration.ofSeconds(1)));
        assertEquals("rlstream-step-summary", p.get(StreamsConfig.APPLICATION_ID_CONFIG));
        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        assertEquals("/tmp/state", p.get(StreamsConfig.STATE_DIR_CONFIG));
        // 100 ms commits would be ten transactions per summary written: the emit interval wins
        assertEquals(1000L, p.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
        assertEquals("broker:9092", p.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        assertEquals("r1", p.get("client.rack"), "the kafka.* pass-through settings");

        Properties slow = StepSummaryApp.streamsProperties(config, new StepSummaryApp.Settings(TopicCatalog.defaults(),
                "s", "/tmp/state", 5000, Duration.ofSeconds(1)));
        assertEquals(5000L, slow.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG), "a slower commit interval is kept");
    }
}
