package io.rlstream.testkit;

import io.rlstream.schemas.RegistrySerdes;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What every integration test of a service sets up before it starts the service: a real broker
 * ({@link KafkaFixture}) with the catalog's topics, the shared real registry ({@link RegistryFixture})
 * and its serdes, the settings a service config needs to reach both, and clients that talk to the
 * topics the way the services do (String keys, registry-serialized Avro values, {@code read_committed}
 * reads, since the services write in transactions).
 *
 * <pre>{@code
 * try (PipelineFixture pipeline = PipelineFixture.start(new TopicCatalog("rw.", 2))) {
 *     pipeline.send(Topic.PROMPTS, "p1", prompt);
 *     Map<String, Object> settings = pipeline.serviceSettings();
 *     settings.put(RewardServiceConfig.STATE_DIR, state.toString());
 *     try (RewardService service = new RewardService(new RewardServiceConfig(settings))) { ... }
 *     List<Reward> rewards = pipeline.readValues(Topic.REWARDS, Reward.class, 3, Duration.ofSeconds(60));
 * }
 * }</pre>
 *
 * <p>One broker per fixture; the registry is shared by the whole test JVM. As a JUnit extension,
 * {@link #extension(TopicCatalog)} starts a fresh broker for each test when registered on an
 * instance field (tests that must not see each other's records), or one for the class when
 * registered on a static field (started before the class's {@code @BeforeAll} methods run):
 *
 * <pre>{@code
 * @RegisterExtension
 * final PipelineFixture pipeline = PipelineFixture.extension(TopicCatalog.defaults());
 * }</pre>
 */
public final class PipelineFixture implements AutoCloseable, BeforeAllCallback, AfterAllCallback,
        BeforeEachCallback, AfterEachCallback {

    /**
     * After the expected number of records has come, reads on this long so that a record written
     * twice (what exactly-once forbids) shows up in what the test asserts on.
     */
    public static final Duration SETTLE = Duration.ofSeconds(1);

    private final TopicCatalog catalog;
    private final Map<Class<?>, Serde<?>> valueSerdes = new HashMap<>();
    private KafkaFixture kafka;
    private RegistrySerdes serdes;
    private KafkaProducer<String, byte[]> producer;
    /** Registered on a static field: one broker for the whole class. */
    private boolean perClass;

    private PipelineFixture(TopicCatalog catalog) {
        this.catalog = catalog;
    }

    /** A broker with the default catalog's topics ({@code rl.} prefix). */
    public static PipelineFixture start() {
        return start(TopicCatalog.defaults());
    }

    /** A broker with {@code catalog}'s topics (their partition counts and configs), and the shared registry. */
    public static PipelineFixture start(TopicCatalog catalog) {
        PipelineFixture pipeline = new PipelineFixture(catalog);
        pipeline.open();
        return pipeline;
    }

    /** Not started yet: for {@code @RegisterExtension}, which starts and closes it around each test or the class. */
    public static PipelineFixture extension(TopicCatalog catalog) {
        return new PipelineFixture(catalog);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true;
        open();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!perClass) {
            open();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) {
            close();
        }
    }

    private synchronized void open() {
        if (kafka != null) {
            throw new IllegalStateException("this pipeline fixture is already started");
        }
        KafkaFixture started = KafkaFixture.start();
        try {
            started.createTopics(catalog);
            serdes = RegistryFixture.serdes();
        } catch (RuntimeException e) {
            started.close();
            throw e;
        }
        kafka = started;
    }

    /** The broker; an IllegalStateException before the fixture is started or after it is closed. */
    public synchronized KafkaFixture kafka() {
        if (kafka == null) {
            throw new IllegalStateException("the pipeline fixture is not started: use PipelineFixture.start(..),"
                    + " or register PipelineFixture.extension(..) with @RegisterExtension");
        }
        return kafka;
    }

    public TopicCatalog catalog() {
        return catalog;
    }

    /** Registry serdes with the project defaults, as the services build them. */
    public RegistrySerdes serdes() {
        kafka();
        return serdes;
    }

    public String bootstrapServers() {
        return kafka().bootstrapServers();
    }

    /** The registry's Apicurio v2 API root: the {@code registry.url} setting and the {@code --registry-url} flag. */
    public String registryUrl() {
        return RegistryFixture.url();
    }

    /** The name of {@code topic} in this fixture's catalog. */
    public String topic(Topic topic) {
        return catalog.name(topic);
    }

    /**
     * A fresh, mutable map with what every service config reads to reach this pipeline:
     * {@code bootstrap.servers}, {@code registry.url}, {@code topic.prefix} and
     * {@code group.partitions}; add the service's own settings and pass it to its config.
     */
    public Map<String, Object> serviceSettings() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("bootstrap.servers", bootstrapServers());
        settings.put("registry.url", registryUrl());
        settings.put("topic.prefix", catalog.prefix());
        settings.put("group.partitions", Integer.toString(catalog.groupPartitions()));
        return settings;
    }

    /** A producer of String keys and registry-serialized {@code type} values; the caller closes it. */
    public <V extends SpecificRecord> KafkaProducer<String, V> producer(Class<V> type) {
        return new KafkaProducer<>(kafka().clientConfig(), new StringSerializer(), serde(type).serializer());
    }

    /** Sends one record to {@code topic} of the catalog and waits until the broker has it. */
    public void send(Topic topic, String key, SpecificRecord value) {
        sendAll(topic, v -> key, List.of(value));
    }

    /** Sends the values in order, keyed by {@code key}, and waits until the broker has them all. */
    public <V extends SpecificRecord> void sendAll(Topic topic, Function<? super V, String> key,
            Collection<? extends V> values) {
        String name = topic(topic);
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (V value : values) {
            sent.add(bytesProducer().send(new ProducerRecord<>(name, key.apply(value), serialize(name, value))));
        }
        awaitAll(name, sent);
    }

    /** Sends bytes as they are (a record no serde wrote: what a dead-letter path must survive) and waits for it. */
    public void sendBytes(Topic topic, String key, byte[] value) {
        String name = topic(topic);
        awaitAll(name, List.of(bytesProducer().send(new ProducerRecord<>(name, key, value))));
    }

    /**
     * A consumer in group {@code groupId} of String keys and {@code type} values, from the earliest
     * offset, reading committed records only; the caller subscribes and closes it.
     */
    public <V extends SpecificRecord> KafkaConsumer<String, V> consumer(Class<V> type, String groupId) {
        Map<String, Object> config = kafka().clientConfig();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(config, new StringDeserializer(), serde(type).deserializer());
    }

    /** {@link #readAll(String, Class, int, Duration)} on {@code topic} of the catalog. */
    public <V extends SpecificRecord> List<ConsumerRecord<String, V>> readAll(Topic topic, Class<V> type, int atLeast,
            Duration timeout) {
        return readAll(topic(topic), type, atLeast, timeout);
    }

    /**
     * The committed records of every partition of {@code topic} from the beginning: waits until at
     * least {@code atLeast} have come or {@code timeout} has passed, then reads on for {@link #SETTLE}
     * (so a duplicate shows), and returns them all, partition by partition in offset order. Fewer
     * than {@code atLeast} is not an error here: the test's assertion says what was missing.
     */
    public <V extends SpecificRecord> List<ConsumerRecord<String, V>> readAll(String topic, Class<V> type, int atLeast,
            Duration timeout) {
        List<ConsumerRecord<String, V>> out = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = assignedFromStart(topic, type)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (out.size() < atLeast && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(out::add);
            }
            long settled = System.nanoTime() + SETTLE.toNanos();
            while (System.nanoTime() < settled) {
                consumer.poll(Duration.ofMillis(100)).forEach(out::add);
            }
        }
        return out;
    }

    /** The values of {@link #readAll(Topic, Class, int, Duration)}. */
    public <V extends SpecificRecord> List<V> readValues(Topic topic, Class<V> type, int atLeast, Duration timeout) {
        return values(readAll(topic, type, atLeast, timeout));
    }

    /** The values of {@link #readAll(String, Class, int, Duration)}. */
    public <V extends SpecificRecord> List<V> readValues(String topic, Class<V> type, int atLeast, Duration timeout) {
        return values(readAll(topic, type, atLeast, timeout));
    }

    /**
     * The committed values of {@code topic} up to its end now. The end is the high watermark, not
     * the last stable offset a {@code read_committed} consumer is told: a transaction's commit
     * markers are written after the producer's commit returns, and until they are, the stable end
     * still lies before that transaction's records.
     */
    public <V extends SpecificRecord> List<V> readToEnd(Topic topic, Class<V> type) {
        List<V> out = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = assignedFromStart(topic(topic), type)) {
            Map<TopicPartition, Long> ends = highWatermarks(consumer.assignment());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot read " + topic(topic) + " to its end " + ends
                            + " within 30 s; read " + out.size() + " records");
                }
                consumer.poll(Duration.ofMillis(100)).forEach(r -> out.add(r.value()));
            }
        }
        return out;
    }

    /**
     * Waits until a committed value of {@code topic} matches {@code wanted} and returns it; an
     * {@link AssertionError} naming the topic if none does within {@code timeout}.
     */
    public <V extends SpecificRecord> V await(Topic topic, Class<V> type, Predicate<? super V> wanted,
            Duration timeout) {
        try (KafkaConsumer<String, V> consumer = assignedFromStart(topic(topic), type)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(50))) {
                    if (wanted.test(r.value())) {
                        return r.value();
                    }
                }
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " as expected on " + topic(topic) + " within " + timeout);
    }

    @Override
    public synchronized void close() {
        try {
            if (producer != null) {
                producer.close();
            }
        } finally {
            producer = null;
            valueSerdes.clear();
            if (kafka != null) {
                kafka.close();
                kafka = null;
            }
        }
    }

    private <V extends SpecificRecord> KafkaConsumer<String, V> assignedFromStart(String topic, Class<V> type) {
        Map<String, Object> config = kafka().clientConfig();
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topic.MAX_MESSAGE_BYTES + 1024 * 1024);
        KafkaConsumer<String, V> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                serde(type).deserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .sorted((a, b) -> Integer.compare(a.partition(), b.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    private Map<TopicPartition, Long> highWatermarks(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        try {
            kafka().admin().listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all().get()
                    .forEach((p, info) -> ends.put(p, info.offset()));
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the end offsets of " + partitions + ": " + e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the end offsets of " + partitions, e);
        }
        return ends;
    }

    private synchronized KafkaProducer<String, byte[]> bytesProducer() {
        if (producer == null) {
            Map<String, Object> config = kafka().clientConfig();
            config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topic.MAX_MESSAGE_BYTES);
            producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    @SuppressWarnings("unchecked")
    private <V extends SpecificRecord> byte[] serialize(String topic, V value) {
        return serde((Class<V>) value.getClass()).serializer().serialize(topic, value);
    }

    @SuppressWarnings("unchecked")
    private synchronized <V extends SpecificRecord> Serde<V> serde(Class<V> type) {
        return (Serde<V>) valueSerdes.computeIfAbsent(type, t -> serdes().serde(type));
    }

    private static void awaitAll(String topic, List<Future<RecordMetadata>> sent) {
        try {
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot write to " + topic + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to " + topic, e);
        }
    }

    private static <V> List<V> values(List<ConsumerRecord<String, V>> records) {
        return records.stream().map(ConsumerRecord::value).toList();
    }
}
