package io.rlstream.processors.grouping;

import io.rlstream.rollouts.KafkaRolloutLog;
import io.rlstream.rollouts.RolloutLog;
import io.micrometer.core.instrument.MeterRegistry;
import io.rlstream.config.ExactlyOnceStreams;
import io.rlstream.events.Rollout;
import io.rlstream.schemas.Topic;
import io.rlstream.monitoring.metrics.MetricCatalog;
import io.rlstream.monitoring.metrics.MetricsPublisher;
import io.rlstream.monitoring.metrics.ReportingStreams;
import io.rlstream.monitoring.summary.StepSummaryApp;
import io.rlstream.processors.config.ProcessorsConfig;
import io.rlstream.processors.config.RolloutsSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;

/**
 * Runs {@link GroupingTopology} with exactly-once processing and registry serdes, and publishes
 * its counters to the metrics topic every {@code processors.metrics.interval.ms}.
 *
 * <pre>
 *   try (GroupingApp app = new GroupingApp(ProcessorsConfig.load(file, System.getenv()))) {
 *       app.start();
 *       ...
 *   }
 * </pre>
 */
public final class GroupingApp implements AutoCloseable {

    /** How long the batch assembler waits for rollouts it reads back before its task fails and is retried. */
    static final Duration ROLLOUT_READ_TIMEOUT = Duration.ofSeconds(30);

    private final ReportingStreams app;
    private final GroupingCounters counters = new GroupingCounters();

    public GroupingApp(ProcessorsConfig config) {
        this(config, null);
    }

    /** A grouping app whose Kafka Streams metrics and published counters go into {@code registry} (null: none). */
    public GroupingApp(ProcessorsConfig config, MeterRegistry registry) {
        Topology topology = GroupingTopology.build(new StreamsBuilder(), config.catalog(), config.outputCatalog(),
                config.serdes(), GroupingSettings.from(config), RolloutsSource.from(config), counters,
                rolloutLogs(config));
        this.app = new ReportingStreams(new KafkaStreams(topology, streamsProperties(config)),
                new MetricsPublisher(GroupingTopology.SERVICE, config.clientProps(), config.outputCatalog(),
                        config.serdes(), registry),
                registry, "grouping-metrics", Duration.ofMillis(config.getLong(ProcessorsConfig.METRICS_INTERVAL_MS)),
                this::publishMetrics);
    }

    /** Plain consumers that read rollouts back by position from the input rl.rollouts (one per task that needs one). */
    static RolloutLog.Factory rolloutLogs(ProcessorsConfig config) {
        String topic = config.catalog().name(Topic.ROLLOUTS);
        String applicationId = config.getString(ProcessorsConfig.APPLICATION_ID);
        return () -> new KafkaRolloutLog(config.clientProps(), applicationId, topic,
                config.serdes().serde(Rollout.class).deserializer(), ROLLOUT_READ_TIMEOUT);
    }

    /** Kafka Streams settings: the pass-through client settings, then ours (exactly-once always). */
    public static Properties streamsProperties(ProcessorsConfig config) {
        return ExactlyOnceStreams.properties(config, config.getString(ProcessorsConfig.APPLICATION_ID), config.stateDir(),
                config.getLong(ProcessorsConfig.COMMIT_INTERVAL_MS));
    }

    /**
     * The step-summary app that runs next to this one: same process, same pass-through client
     * settings and state folder, its own application id and emit interval.
     */
    public static StepSummaryApp stepSummaries(ProcessorsConfig config, MeterRegistry registry) {
        return new StepSummaryApp(config, new StepSummaryApp.Settings(config.outputCatalog(),
                config.getString(ProcessorsConfig.SUMMARY_APPLICATION_ID), config.stateDir(),
                config.getLong(ProcessorsConfig.COMMIT_INTERVAL_MS),
                Duration.ofMillis(config.getLong(ProcessorsConfig.SUMMARY_EMIT_INTERVAL_MS))), registry);
    }

    public void start() {
        app.start();
    }

    public KafkaStreams.State state() {
        return app.state();
    }

    public GroupingCounters counters() {
        return counters;
    }

    private void publishMetrics(MetricsPublisher metrics) {
        counters.metrics().forEach(metrics::publish);
        double ratio = counters.effectiveRatio();
        if (!Double.isNaN(ratio)) {
            metrics.publish(MetricCatalog.GROUPING_EFFECTIVE_RATIO, ratio);
        }
    }

    @Override
    public void close() {
        app.close();
    }

    /** Runs until the process is stopped. Argument: an optional properties file; RLSTREAM_* variables override it. */
    public static void main(String[] args) throws InterruptedException {
        // Avro refuses to load generated classes from untrusted packages (ClassSecurityValidator).
        System.getProperties().putIfAbsent("org.apache.avro.SERIALIZABLE_PACKAGES", "io.rlstream.events");
        ProcessorsConfig config = ProcessorsConfig.load(args.length > 0 ? Path.of(args[0]) : null, System.getenv());
        CountDownLatch stopped = new CountDownLatch(1);
        GroupingApp app = new GroupingApp(config);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "grouping-shutdown"));
        app.start();
        stopped.await();
    }
}
