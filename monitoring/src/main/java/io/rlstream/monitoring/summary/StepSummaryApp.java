package io.rlstream.monitoring.summary;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.rlstream.config.ExactlyOnceStreams;
import io.rlstream.config.ServiceConfig;
import io.rlstream.monitoring.prometheus.KafkaMeters;
import io.rlstream.schemas.TopicCatalog;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Runs {@link StepSummaryTopology} with exactly-once processing: rl.metrics rolled up per
 * training step into the compacted rl.step-summary, which dashboards and the data lake read
 * instead of every raw metric.
 */
public final class StepSummaryApp implements AutoCloseable {

    private final KafkaStreams streams;
    private final KafkaStreamsMetrics streamsMeters;

    /**
     * Where the app reads and writes, and how often it emits; the Kafka client settings come from
     * the {@link ServiceConfig} (the processors' config in the demo and in {@code rlstream processors}).
     */
    public record Settings(TopicCatalog catalog, String applicationId, String stateDir, long commitIntervalMs,
            Duration emitInterval) {
    }

    public StepSummaryApp(ServiceConfig config, Settings settings) {
        this(config, settings, null);
    }

    /** A step-summary app whose Kafka Streams metrics go into {@code registry} (null: none). */
    public StepSummaryApp(ServiceConfig config, Settings settings, MeterRegistry registry) {
        this.streams = new KafkaStreams(StepSummaryTopology.build(settings.catalog(), config.serdes(),
                settings.emitInterval()), streamsProperties(config, settings));
        this.streamsMeters = registry == null ? null
                : new KafkaStreamsMetrics(streams, List.of(), KafkaMeters.scheduler(), KafkaMeters.REFRESH);
        if (streamsMeters != null) {
            streamsMeters.bindTo(registry);
        }
    }

    /** The exactly-once settings every rlstream Streams app shares, under this app's own id. */
    static Properties streamsProperties(ServiceConfig config, Settings settings) {
        // Summaries are written once per emit interval: committing (one transaction) more often
        // than that would only cost the broker and the two cores the pipeline shares.
        return ExactlyOnceStreams.properties(config, settings.applicationId(), settings.stateDir(),
                Math.max(settings.commitIntervalMs(), settings.emitInterval().toMillis()));
    }

    public void start() {
        streams.start();
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /**
     * Stops after committing, and leaves the consumer group: one instance usually runs, and a
     * restarted one then gets the partition at once instead of after the session timeout (45 s).
     */
    @Override
    public void close() {
        if (streamsMeters != null) {
            streamsMeters.close();
        }
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
    }
}
