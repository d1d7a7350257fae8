package io.rlstream.processors.summary;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.rlstream.metrics.prometheus.KafkaMeters;
import io.rlstream.processors.config.ProcessorsConfig;
import io.rlstream.processors.grouping.GroupingApp;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Runs {@link StepSummaryTopology} with exactly-once processing: rl.metrics rolled up per
 * training step into the compacted rl.step-summary, which dashboards and the data lake read
 * instead of every raw metric.
 */
public final class StepSummaryApp implements AutoCloseable {

    private final KafkaStreams streams;
    private final KafkaStreamsMetrics streamsMeters;

    public StepSummaryApp(ProcessorsConfig config) {
        this(config, null);
    }

    /** A step-summary app whose Kafka Streams metrics go into {@code registry} (null: none). */
    public StepSummaryApp(ProcessorsConfig config, MeterRegistry registry) {
        this.streams = new KafkaStreams(StepSummaryTopology.build(config.outputCatalog(), config.serdes(),
                Duration.ofMillis(config.getLong(ProcessorsConfig.SUMMARY_EMIT_INTERVAL_MS))), streamsProperties(config));
        this.streamsMeters = registry == null ? null
                : new KafkaStreamsMetrics(streams, List.of(), KafkaMeters.scheduler(), KafkaMeters.REFRESH);
        if (streamsMeters != null) {
            streamsMeters.bindTo(registry);
        }
    }

    /** The grouping app's Kafka Streams settings (exactly once, the pass-through client settings) under its own id. */
    static Properties streamsProperties(ProcessorsConfig config) {
        Properties props = GroupingApp.streamsProperties(config);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.getString(ProcessorsConfig.SUMMARY_APPLICATION_ID));
        // Summaries are written once per emit interval: committing (one transaction) more often
        // than that would only cost the broker and the two cores the pipeline shares.
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Math.max(config.getLong(ProcessorsConfig.COMMIT_INTERVAL_MS),
                config.getLong(ProcessorsConfig.SUMMARY_EMIT_INTERVAL_MS)));
        return props;
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
