package io.rlstream.monitoring.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.rlstream.monitoring.prometheus.KafkaMeters;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * A Kafka Streams app that reports its own counters on the metrics topic, as the reward service
 * and the grouping app do: the {@link KafkaStreams} client, its {@link MetricsPublisher}, the
 * Micrometer binding of the client's own metrics when a registry is given, and a daemon thread
 * that calls {@code report} every interval. {@link #close()} stops them in the order that loses
 * no count: the reporter, the meters, the streams (up to 30 s), one last report with the final
 * counts, the publisher.
 */
public final class ReportingStreams implements AutoCloseable {

    private final KafkaStreams streams;
    private final MetricsPublisher metrics;
    private final KafkaStreamsMetrics streamsMeters;
    private final Consumer<MetricsPublisher> report;
    private final Duration interval;
    private final ScheduledExecutorService reporter;

    /**
     * @param registry   where the Streams client's metrics go; null: nowhere
     * @param threadName name of the reporting thread
     * @param interval   time between reports
     * @param report     publishes the app's counters with the publisher it is given
     */
    public ReportingStreams(KafkaStreams streams, MetricsPublisher metrics, MeterRegistry registry, String threadName,
            Duration interval, Consumer<MetricsPublisher> report) {
        this.streams = streams;
        this.metrics = metrics;
        this.report = report;
        this.interval = interval;
        this.streamsMeters = registry == null ? null
                : new KafkaStreamsMetrics(streams, List.of(), KafkaMeters.scheduler(), KafkaMeters.REFRESH);
        if (streamsMeters != null) {
            streamsMeters.bindTo(registry);
        }
        this.reporter = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the streams and the reports (the first after one interval). */
    public void start() {
        streams.start();
        reporter.scheduleAtFixedRate(this::report, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    private void report() {
        report.accept(metrics);
    }

    @Override
    public void close() {
        reporter.shutdownNow();
        if (streamsMeters != null) {
            streamsMeters.close();
        }
        streams.close(Duration.ofSeconds(30));
        report();
        metrics.close();
    }
}
