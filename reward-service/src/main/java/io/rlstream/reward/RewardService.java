package io.rlstream.reward;

import io.rlstream.metrics.MetricsPublisher;
import io.rlstream.reward.stream.RewardStats;
import io.rlstream.reward.stream.RewardTopology;
import io.rlstream.reward.verify.Verifier;
import io.rlstream.reward.verify.Verifiers;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;

/** Runs the reward topology with exactly-once processing and publishes its counters as metrics. */
public final class RewardService implements AutoCloseable {

    private final KafkaStreams streams;
    private final MetricsPublisher metrics;
    private final RewardStats stats = new RewardStats();
    private final ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "reward-metrics");
        t.setDaemon(true);
        return t;
    });

    public RewardService(RewardServiceConfig config) {
        Verifier verifier = Verifiers.byName(config.getString(RewardServiceConfig.VERIFIER),
                config.getDouble(RewardServiceConfig.CORRECT), config.getDouble(RewardServiceConfig.INCORRECT));
        Topology topology = RewardTopology.build(new StreamsBuilder(), config.catalog(), config.serdes(), verifier, stats);
        Properties props = new Properties();
        props.putAll(config.clientProps());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.getString(RewardServiceConfig.APPLICATION_ID));
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.getString(RewardServiceConfig.STATE_DIR));
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.getLong(RewardServiceConfig.COMMIT_INTERVAL_MS));
        // Rollouts are decoded inside the topology (dead letters); this only guards the prompts table.
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        this.streams = new KafkaStreams(topology, props);
        this.metrics = new MetricsPublisher(RewardTopology.SERVICE, config.clientProps(), config.catalog(), config.serdes());
    }

    public void start() {
        streams.start();
        reporter.scheduleAtFixedRate(this::publishMetrics, 5, 5, TimeUnit.SECONDS);
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    public RewardStats stats() {
        return stats;
    }

    private void publishMetrics() {
        metrics.publish("reward.scored", stats.scored());
        metrics.publish("reward.correct", stats.correct());
        metrics.publish("reward.dead_letters", stats.deadLetters());
        stats.failures().forEach((reason, n) -> metrics.publish("reward.failed", n, -1, -1, Map.of("reason", reason)));
    }

    @Override
    public void close() {
        reporter.shutdownNow();
        streams.close(Duration.ofSeconds(30));
        publishMetrics();
        metrics.close();
    }
}
