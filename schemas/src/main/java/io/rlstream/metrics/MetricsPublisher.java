package io.rlstream.metrics;

import io.rlstream.events.Metric;
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
 */
public final class MetricsPublisher implements AutoCloseable {

    private final String source;
    private final String topic;
    private final KafkaProducer<String, Metric> producer;

    public MetricsPublisher(String source, Map<String, Object> clientProps, TopicCatalog catalog, SerdeFactory serdes) {
        this.source = source;
        this.topic = catalog.name(Topic.METRICS);
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, source + "-metrics");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), serdes.serde(Metric.class).serializer());
    }

    public void publish(String name, double value, long step, long policyVersion, Map<String, String> tags) {
        producer.send(new ProducerRecord<>(topic, source, Metrics.of(source, name, value, step, policyVersion, tags)));
    }

    public void publish(String name, double value) {
        publish(name, value, -1, -1, Map.of());
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
