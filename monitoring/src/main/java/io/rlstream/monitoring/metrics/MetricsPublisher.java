package io.rlstream.monitoring.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.rlstream.events.Metric;
import io.rlstream.monitoring.prometheus.KafkaMeters;
import io.rlstream.monitoring.prometheus.LatestValueGauges;
import io.rlstream.monitoring.prometheus.RunningTotalCounters;
import io.rlstream.schemas.SerdeFactory;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes {@link Metric} events to rl.metrics, keyed by source. Metrics are observations, not
 * training data: they go through their own idempotent (non-transactional) producer, so a
 * service's transaction never waits on them, and a retried step may report a metric twice.
 *
 * <p>Given a {@link MeterRegistry}, every published value is also the latest value of a gauge
 * {@code rlstream.<name>} tagged with the source and the metric's tags ({@link LatestValueGauges}),
 * so Prometheus sees what rl.metrics carries; a running total ({@link MetricName.Kind#TOTAL}) is
 * also a counter {@code rlstream_<name>_<unit>_total} ({@link RunningTotalCounters}). The
 * publisher's own producer is bound there too.
 */
public final class MetricsPublisher implements AutoCloseable {

    private final String source;
    private final String topic;
    private final KafkaProducer<String, Metric> producer;
    private final LatestValueGauges gauges;
    private final RunningTotalCounters counters;
    private final KafkaClientMetrics producerMeters;

    public MetricsPublisher(String source, Map<String, Object> clientProps, TopicCatalog catalog, SerdeFactory serdes) {
        this(source, clientProps, catalog, serdes, null);
    }

    /** A publisher that also records every value into {@code registry} (null: none). */
    public MetricsPublisher(String source, Map<String, Object> clientProps, TopicCatalog catalog, SerdeFactory serdes,
            MeterRegistry registry) {
        this.source = source;
        this.topic = catalog.name(Topic.METRICS);
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, source + "-metrics");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), serdes.serde(Metric.class).serializer());
        this.gauges = registry == null ? null : new LatestValueGauges(registry, source);
        this.counters = registry == null ? null : new RunningTotalCounters(registry, source);
        this.producerMeters = registry == null ? null : KafkaMeters.bind(registry, producer);
    }

    /**
     * Publishes one value of a catalogued metric; a family ({@code selector.*}) is published as
     * one of its members ({@link MetricName#withSuffix}).
     */
    public void publish(MetricName name, double value, long step, long policyVersion, Map<String, String> tags) {
        if (name.isFamily()) {
            throw new IllegalArgumentException(name.name() + " is a family: publish a member, "
                    + "e.g. withSuffix(reason)");
        }
        producer.send(new ProducerRecord<>(topic, source, Metrics.of(source, name, value, step, policyVersion, tags)));
        if (gauges != null) {
            gauges.record(name.name(), value, tags);
            if (name.kind() == MetricName.Kind.TOTAL) {
                counters.record(name.name(), name.unit(), name.meaning(), value, tags);
            }
        }
    }

    public void publish(MetricName name, double value) {
        publish(name, value, -1, -1, Map.of());
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        if (producerMeters != null) {
            producerMeters.close();
        }
        producer.close();
    }
}
