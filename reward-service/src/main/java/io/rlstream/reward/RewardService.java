package io.rlstream.reward;

import io.micrometer.core.instrument.MeterRegistry;
import io.rlstream.monitoring.metrics.MetricCatalog;
import io.rlstream.monitoring.metrics.MetricsPublisher;
import io.rlstream.monitoring.metrics.ReportingStreams;
import io.rlstream.monitoring.prometheus.LatencyHistograms;
import io.rlstream.reward.stream.RewardStats;
import io.rlstream.reward.stream.RewardTopology;
import io.rlstream.reward.feedback.FeedbackMapping;
import io.rlstream.reward.score.RewardScorer;
import java.time.Duration;
import java.util.Map;
import io.rlstream.config.ExactlyOnceStreams;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;

/** Runs the reward topology with exactly-once processing and publishes its counters as metrics. */
public final class RewardService implements AutoCloseable {

    /** Name of the threads that run verifiers that are not bounded (CPU meters book them here). */
    public static final String VERIFIER_THREAD = "reward-verifier";

    private final ReportingStreams app;
    private final RewardStats stats = new RewardStats();
    /**
     * Runs verifications that are not bounded (a plugin, the code sandbox, an endpoint) so that one
     * that hangs can be abandoned at reward.verifier.timeout.ms; bounded ones run on the stream thread.
     */
    private final ExecutorService verifierThreads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, VERIFIER_THREAD);
        t.setDaemon(true);
        return t;
    });

    public RewardService(RewardServiceConfig config) {
        this(config, null);
    }

    /** A reward service whose Kafka Streams metrics and published metrics go into {@code registry} (null: none). */
    public RewardService(RewardServiceConfig config, MeterRegistry registry) {
        stats.observeLatencies(LatencyHistograms.millis(registry, MetricCatalog.REWARD_VERIFIER_LATENCY_HISTOGRAM,
                RewardTopology.SERVICE, "Time of each verification."));
        RewardScorer scorer = config.getBoolean(RewardServiceConfig.SCORE_ROLLOUTS) ? config.scorer(verifierThreads) : null;
        FeedbackMapping feedback = config.getBoolean(RewardServiceConfig.FEEDBACK_ENABLED)
                ? FeedbackMapping.parse(config.getString(RewardServiceConfig.FEEDBACK_MAPPING)) : null;
        Topology topology = RewardTopology.build(new StreamsBuilder(), config.catalog(), config.serdes(), scorer,
                config.batching(), feedback, stats);
        // The settings every Streams app shares: exactly-once, record sizes up to the topics' limit
        // (a dead letter carries the whole rollout), zstd.
        Properties props = ExactlyOnceStreams.properties(config, config.getString(RewardServiceConfig.APPLICATION_ID),
                config.getString(RewardServiceConfig.STATE_DIR), config.getLong(RewardServiceConfig.COMMIT_INTERVAL_MS));
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.getInt(RewardServiceConfig.STREAM_THREADS));
        // Rollouts are decoded inside the topology (dead letters); this only guards the prompts table.
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        this.app = new ReportingStreams(new KafkaStreams(topology, props),
                new MetricsPublisher(RewardTopology.SERVICE, config.clientProps(), config.catalog(), config.serdes(),
                        registry),
                registry, "reward-metrics", Duration.ofSeconds(5), this::publishMetrics);
    }

    public void start() {
        app.start();
    }

    public KafkaStreams.State state() {
        return app.state();
    }

    public RewardStats stats() {
        return stats;
    }

    private void publishMetrics(MetricsPublisher metrics) {
        metrics.publish(MetricCatalog.REWARD_SCORED, stats.scored());
        metrics.publish(MetricCatalog.REWARD_CORRECT, stats.correct());
        metrics.publish(MetricCatalog.REWARD_DEAD_LETTERS, stats.deadLetters());
        metrics.publish(MetricCatalog.REWARD_VERIFIER_LATENCY_MS_MEAN, stats.meanLatencyMillis());
        metrics.publish(MetricCatalog.REWARD_VERIFIER_LATENCY_MS_MAX, stats.maxLatencyMillis());
        if (!Double.isNaN(stats.meanScore())) {
            metrics.publish(MetricCatalog.REWARD_SCORE_MEAN, stats.meanScore());
        }
        stats.failures().forEach((reason, n) -> metrics.publish(MetricCatalog.REWARD_FAILED, n, -1, -1, Map.of("reason", reason)));
    }

    @Override
    public void close() {
        app.close();
        verifierThreads.shutdownNow();
    }
}
