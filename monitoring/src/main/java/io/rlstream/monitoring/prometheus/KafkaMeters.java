package io.rlstream.monitoring.prometheus;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * Binds Kafka clients' own metrics (Micrometer's {@link KafkaClientMetrics}; Streams apps use
 * {@code KafkaStreamsMetrics} with {@link #scheduler()} and {@link #REFRESH}) into a registry.
 * Close the returned binder before or with the client: closing removes its meters.
 */
public final class KafkaMeters {

    /**
     * How often a binder looks for metrics a client added since (per-partition lag, stream
     * threads appear after start). Micrometer's default is 60 s, longer than a short run.
     */
    public static final Duration REFRESH = Duration.ofSeconds(5);

    private KafkaMeters() {
    }

    public static KafkaClientMetrics bind(MeterRegistry registry, Producer<?, ?> producer) {
        KafkaClientMetrics binder = new KafkaClientMetrics(producer, List.of(), scheduler(), REFRESH);
        binder.bindTo(registry);
        return binder;
    }

    public static KafkaClientMetrics bind(MeterRegistry registry, Consumer<?, ?> consumer) {
        KafkaClientMetrics binder = new KafkaClientMetrics(consumer, List.of(), scheduler(), REFRESH);
        binder.bindTo(registry);
        return binder;
    }

    /** Client binders closed together; closing removes their meters. */
    public static final class Bound implements AutoCloseable {
        private final List<KafkaClientMetrics> binders;

        private Bound(List<KafkaClientMetrics> binders) {
            this.binders = binders;
        }

        @Override
        public void close() {
            binders.forEach(KafkaClientMetrics::close);
        }
    }

    /**
     * Binds each producer and consumer into {@code registry}; with a null registry binds nothing
     * (services run without Prometheus in most tests).
     */
    public static Bound bindClients(MeterRegistry registry, Object... clients) {
        List<KafkaClientMetrics> binders = new java.util.ArrayList<>();
        if (registry != null) {
            for (Object client : clients) {
                if (client instanceof Producer<?, ?> p) {
                    binders.add(bind(registry, p));
                } else if (client instanceof Consumer<?, ?> c) {
                    binders.add(bind(registry, c));
                } else {
                    throw new IllegalArgumentException("not a Kafka producer or consumer: " + client);
                }
            }
        }
        return new Bound(binders);
    }

    /** A daemon thread for one binder's refresh (the binder shuts it down on close). */
    public static ScheduledExecutorService scheduler() {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kafka-meters");
            t.setDaemon(true);
            return t;
        });
    }
}
