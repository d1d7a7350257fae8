package io.rlstream.testkit;

import io.rlstream.ops.KafkaBrokerProcess;
import io.rlstream.ops.TopicAdmin;
import io.rlstream.schemas.TopicCatalog;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Kafka broker for a test. By default Kafka's in-process KRaft test kit (one combined
 * broker + controller node; ~2–3 s the first time in a JVM, well under a second later); with
 * {@value #MODE} {@code =testcontainers} (system property or environment variable) a Testcontainers
 * Kafka container ({@value #IMAGE} or the image named by {@value #IMAGE_PROPERTY}) instead, and
 * the test is skipped (JUnit assumption) where no Docker engine is available.
 *
 * <p>Either way: replication factors 1, {@code transaction.state.log.min.isr=1},
 * {@code group.initial.rebalance.delay.ms=0} (or groups and transactions hang on one broker), and
 * {@code message.max.bytes} as on the local platform broker (17 MiB). Topics are auto-created as
 * by a default broker; use {@link #createTopics(TopicCatalog)} for the catalog's topics with their
 * partition counts and configs.
 *
 * <p>A skip raised from {@code @BeforeAll} shows in surefire's counts as "Tests run: 0"; start the
 * Testcontainers backend inside the test (or {@code @BeforeEach}) to have it counted as skipped.
 *
 * <pre>{@code
 * static KafkaFixture kafka;
 * @BeforeAll static void up() { kafka = KafkaFixture.start(); kafka.createTopics(TopicCatalog.defaults()); }
 * @AfterAll static void down() { kafka.close(); }
 * }</pre>
 */
public final class KafkaFixture implements AutoCloseable {

    /** System property or environment variable choosing the backend: {@code testkit} (default) or {@code testcontainers}. */
    public static final String MODE = "RLSTREAM_TEST_KAFKA";
    /** System property or environment variable naming the Kafka image for the Testcontainers backend. */
    public static final String IMAGE_PROPERTY = "RLSTREAM_TEST_KAFKA_IMAGE";
    /** Default image of the Testcontainers backend (Apache Kafka, same version as our clients). */
    public static final String IMAGE = "apache/kafka:4.3.1";

    /** Where the broker runs. */
    public enum Backend {
        /** {@code org.apache.kafka.common.test.KafkaClusterTestKit} in this JVM. */
        TESTKIT,
        /** A Testcontainers Kafka container; skips the test without Docker. */
        TESTCONTAINERS
    }

    /** Broker settings every backend gets. */
    static final Map<String, String> BROKER_SETTINGS = brokerSettings();

    private final Backend backend;
    private final String bootstrapServers;
    private final AutoCloseable cluster;
    private Admin admin;
    private int brokers = 1;

    private KafkaFixture(Backend backend, String bootstrapServers, AutoCloseable cluster) {
        this.backend = backend;
        this.bootstrapServers = bootstrapServers;
        this.cluster = cluster;
    }

    private static Map<String, String> brokerSettings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("offsets.topic.replication.factor", "1");
        s.put("offsets.topic.num.partitions", "4");
        s.put("transaction.state.log.replication.factor", "1");
        s.put("transaction.state.log.min.isr", "1");
        s.put("transaction.state.log.num.partitions", "4");
        s.put("share.coordinator.state.topic.replication.factor", "1");
        s.put("share.coordinator.state.topic.min.isr", "1");
        s.put("group.initial.rebalance.delay.ms", "0");
        s.put("message.max.bytes", Integer.toString(KafkaBrokerProcess.MESSAGE_MAX_BYTES));
        s.put("replica.fetch.max.bytes", Integer.toString(KafkaBrokerProcess.MESSAGE_MAX_BYTES));
        return Map.copyOf(s);
    }

    /** Starts the backend chosen by {@value #MODE} (default: the in-process test kit). */
    public static KafkaFixture start() {
        return start(configuredBackend());
    }

    /** Starts the given backend; {@link Backend#TESTCONTAINERS} skips the calling test without Docker. */
    public static KafkaFixture start(Backend backend) {
        return switch (backend) {
            case TESTKIT -> startTestKit();
            case TESTCONTAINERS -> ContainerKafka.start(setting(IMAGE_PROPERTY, IMAGE), BROKER_SETTINGS);
        };
    }

    /** The backend {@value #MODE} asks for. */
    public static Backend configuredBackend() {
        String mode = setting(MODE, "testkit").trim().toLowerCase(Locale.ROOT);
        return switch (mode) {
            case "", "testkit", "kraft", "in-process" -> Backend.TESTKIT;
            case "testcontainers", "docker", "container" -> Backend.TESTCONTAINERS;
            default -> throw new IllegalArgumentException(MODE + "=" + mode
                    + " is not a Kafka test backend; use 'testkit' (default) or 'testcontainers'");
        };
    }

    static String setting(String name, String defaultValue) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            value = System.getenv(name);
        }
        return value == null || value.isBlank() ? defaultValue : value;
    }

    /**
     * An in-process test-kit cluster of {@code brokers} brokers (one combined broker + controller
     * node, the others brokers only) with the replicated settings of the local platform's cluster
     * ({@link KafkaBrokerProcess#replicationSettings(int)}: replication factors min(3, brokers),
     * min.insync.replicas min(2, that)). Topics from {@link #createTopics(TopicCatalog)} get the same.
     */
    public static KafkaFixture startCluster(int brokers) {
        return startTestKit(brokers);
    }

    private static KafkaFixture startTestKit() {
        return startTestKit(1);
    }

    private static KafkaFixture startTestKit(int brokers) {
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(brokers)
                .setNumControllerNodes(1)
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        BROKER_SETTINGS.forEach(builder::setConfigProp);
        KafkaBrokerProcess.replicationSettings(brokers).forEach(builder::setConfigProp);
        return TestClusters.start(builder, "the in-process Kafka test cluster", cluster -> {
            KafkaFixture fixture = new KafkaFixture(Backend.TESTKIT, cluster.bootstrapServers(), cluster);
            fixture.brokers = brokers;
            return fixture;
        });
    }

    static KafkaFixture of(Backend backend, String bootstrapServers, AutoCloseable cluster) {
        return new KafkaFixture(backend, bootstrapServers, cluster);
    }

    public Backend backend() {
        return backend;
    }

    /** {@code bootstrap.servers} of the broker. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** A fresh map with {@code bootstrap.servers}; add serializers, group id, etc. */
    public Map<String, Object> clientConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return c;
    }

    /** An Admin client on this broker, shared and closed by {@link #close()}. */
    public synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(clientConfig());
        }
        return admin;
    }

    /**
     * Creates the catalog's topics (idempotent; see {@link TopicAdmin#createTopics}), replication
     * factor min(3, brokers) and min.insync.replicas min(2, that): 1 and 1 on one broker.
     */
    public void createTopics(TopicCatalog catalog) {
        TopicAdmin.createTopics(admin(), catalog, TopicAdmin.defaultReplicationFactor(brokers));
    }

    /** Brokers of this cluster (1 unless {@link #startCluster(int)}). */
    public int brokers() {
        return brokers;
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close();
            admin = null;
        }
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the Kafka " + backend + " cluster: " + e, e);
        }
    }
}
