package io.rlstream.monitoring.dashboard;

import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.Metric;
import io.rlstream.events.PromptDispatch;
import io.rlstream.events.Reward;
import io.rlstream.events.Rollout;
import io.rlstream.events.StepSummary;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.schemas.SerdeFactory;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Fills a {@link StepSeries} and a {@link LineageIndex} from the topics, on its own thread with
 * its own consumer: read_committed (a batch is seen whole or not at all), from the earliest
 * records, in a consumer group of its own that commits nothing, so it never disturbs the
 * services and every start reads the history again. Topics created later are picked up by the
 * subscription. A record that does not decode is counted and skipped.
 */
public final class DashboardFeed implements AutoCloseable {

    static final List<Topic> TOPICS = List.of(Topic.PROMPT_DISPATCH, Topic.ROLLOUTS, Topic.REWARDS,
            Topic.TRAINING_BATCHES, Topic.CHECKPOINTS, Topic.METRICS, Topic.STEP_SUMMARY);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, Deserializer<?>> deserializers = new HashMap<>();
    private final StepSeries series;
    private final LineageIndex lineage;
    private final Thread thread;
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile String lastError;
    private volatile boolean running = true;
    private boolean started;

    /**
     * @param clientProps Kafka client settings (bootstrap.servers, security, ...); group, offsets
     *                    and isolation are set here
     */
    public DashboardFeed(Map<String, Object> clientProps, SerdeFactory serdes, TopicCatalog catalog, StepSeries series,
            LineageIndex lineage) {
        this.series = series;
        this.lineage = lineage;
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "rlstream-dashboard-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // topics the services have not created yet are picked up within seconds
        props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 5_000);
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        for (Topic t : TOPICS) {
            deserializers.put(catalog.name(t), serdes.serde(t.valueType()).deserializer());
        }
        consumer.subscribe(List.copyOf(deserializers.keySet()));
        this.thread = new Thread(this::run, "dashboard-feed");
        thread.setDaemon(true);
    }

    public synchronized DashboardFeed start() {
        started = true;
        thread.start();
        return this;
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.value() == null) {
                        continue;
                    }
                    try {
                        apply(deserializers.get(r.topic()).deserialize(r.topic(), r.value()));
                        records.incrementAndGet();
                    } catch (RuntimeException e) {
                        errors.incrementAndGet();
                        lastError = r.topic() + "-" + r.partition() + "@" + r.offset() + ": " + e;
                    }
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void apply(Object value) {
        if (value instanceof PromptDispatch d) {
            lineage.add(d);
        } else if (value instanceof Rollout r) {
            lineage.add(r);
        } else if (value instanceof Reward w) {
            lineage.add(w);
        } else if (value instanceof TrainingBatchGroup g) {
            lineage.add(g);
        } else if (value instanceof CheckpointPublished c) {
            lineage.add(c);
            series.add(c);
        } else if (value instanceof StepSummary s) {
            series.add(s);
        } else if (value instanceof Metric m) {
            series.add(m);
        }
    }

    /** Records read and records that did not decode, for /api/summary. */
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("records", records.get());
        m.put("errors", errors.get());
        m.put("last_error", lastError);
        return m;
    }

    @Override
    public synchronized void close() throws InterruptedException {
        running = false;
        if (!started) {
            consumer.close(Duration.ZERO);
            return;
        }
        consumer.wakeup();
        thread.join(10_000);
    }
}
