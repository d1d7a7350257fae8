package io.rlstream.config;

import io.rlstream.schemas.ConfiguredSerdes;
import io.rlstream.schemas.RegistrySerdes;
import io.rlstream.schemas.SerdeFactory;
import io.rlstream.schemas.TopicCatalog;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Configuration every service shares: where Kafka and the registry are, and the topic names.
 * Each service declares its own keys on top of {@link #baseDef()} with Kafka's {@link ConfigDef}
 * (type, default, validator, documentation), so values are validated at start with Kafka's clear
 * messages and the README table is generated from the same declarations ({@link #markdown}).
 *
 * <p>Sources, later ones winning: a properties file, environment variables
 * ({@code RLSTREAM_GROUP_SIZE} sets {@code group.size}, {@code RLSTREAM_SASL_JAAS_CONFIG} sets
 * {@code sasl.jaas.config}), command-line {@code --set key=value}. Any value may be a Kafka config
 * provider variable, {@code ${env:VAR}} or {@code ${file:/path/secrets.properties:key}}
 * ({@link ConfigProviders}). Kafka client keys ({@link KafkaClientKeys}: {@code security.protocol},
 * {@code sasl.*}, {@code ssl.*}, {@code client.id}, ...) go as they are to every Kafka client the
 * service makes, as in a Kafka tool's {@code --command-config}; keys starting with {@code kafka.}
 * go there too, prefix stripped, for any other client key (a custom callback handler's); keys
 * starting with {@code apicurio.registry.} go to the registry serde. Any other key the definition
 * does not declare stops the service at start ({@link KnownSettings}).
 */
public class ServiceConfig extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String REGISTRY_URL = "registry.url";
    public static final String TOPIC_PREFIX = "topic.prefix";
    public static final String GROUP_PARTITIONS = "group.partitions";
    public static final String TOPIC_REPLICATION_FACTOR = "topic.replication.factor";
    public static final String TOPIC_MIN_INSYNC_REPLICAS = "topic.min.insync.replicas";
    public static final String KAFKA_PASSTHROUGH_PREFIX = "kafka.";
    public static final String REGISTRY_PASSTHROUGH_PREFIX = "apicurio.registry.";
    public static final String ENV_PREFIX = "RLSTREAM_";
    public static final String SERDE_SERIALIZER = "serde.serializer";
    public static final String SERDE_DESERIALIZER = "serde.deserializer";
    public static final String SERDE_CONFIG_PREFIX = "serde.config.";
    public static final String METRICS_HOST = "metrics.host";
    public static final String METRICS_PORT = "metrics.port";
    /** {@code metrics.port} value that turns a service's Prometheus HTTP server off (its registry still records). */
    public static final int METRICS_PORT_OFF = -1;
    /** The standard Prometheus ports of the services started alone (monitoring/prometheus/prometheus.yml scrapes them). */
    public static final int REWARDS_METRICS_PORT = 9401;
    public static final int WORKER_METRICS_PORT = 9402;
    public static final int PROCESSORS_METRICS_PORT = 9403;
    public static final int DISPATCHER_METRICS_PORT = 9404;
    public static final int TRAINER_METRICS_PORT = 9405;
    static final String METRICS_PORT_DOC = "Port of the Prometheus endpoint (GET /metrics) of a service started alone; "
            + "0 = any free port (printed), -1 = none. Each service has its own default so that they can share a host: "
            + "rewards " + REWARDS_METRICS_PORT + ", worker " + WORKER_METRICS_PORT + ", processors "
            + PROCESSORS_METRICS_PORT + ", dispatcher " + DISPATCHER_METRICS_PORT + " (dispatch.metrics.port), trainer "
            + TRAINER_METRICS_PORT + ".";

    /** -1 (automatic) or a positive number. */
    static final ConfigDef.Validator AUTO_OR_POSITIVE = ConfigDef.LambdaValidator.with((name, value) -> {
        if (value == null || ((Integer) value != -1 && (Integer) value < 1)) {
            throw new org.apache.kafka.common.config.ConfigException(name, value, "must be -1 (automatic) or at least 1");
        }
    }, () -> "-1 or [1,...]");

    /** The shared keys, with no Prometheus endpoint by default (tools that are not services). */
    public static ConfigDef baseDef() {
        return baseDef(METRICS_PORT_OFF);
    }

    /** The shared keys, with the service's own default {@code metrics.port}. */
    public static ConfigDef baseDef(int defaultMetricsPort) {
        return new ConfigDef()
                .define(BOOTSTRAP_SERVERS, Type.STRING, "127.0.0.1:9092", new ConfigDef.NonEmptyString(),
                        Importance.HIGH, "Kafka bootstrap servers (host:port,...).")
                .define(REGISTRY_URL, Type.STRING, "http://127.0.0.1:8081/apis/registry/v2",
                        new ConfigDef.NonEmptyString(), Importance.HIGH,
                        "Schema registry API root used by the Avro serde (Apicurio v2 API; docs/operations.md for Confluent's).")
                .define(TOPIC_PREFIX, Type.STRING, "rl.", Importance.MEDIUM,
                        "Prefix of every rlstream topic name.")
                .define(GROUP_PARTITIONS, Type.INT, 4, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                        "Partitions of the co-partitioned group topics (prompt-dispatch, rollouts, rewards).")
                .define(TOPIC_REPLICATION_FACTOR, Type.INT, -1, AUTO_OR_POSITIVE, Importance.MEDIUM,
                        "Copies of every topic rlstream creates: the catalog's (TopicAdmin) and Kafka Streams' "
                                + "internal changelog and repartition topics. -1 = automatic: min(3, brokers) for the "
                                + "catalog's, the broker's default.replication.factor for Streams' (the local platform "
                                + "sets it to min(3, brokers)).")
                .define(TOPIC_MIN_INSYNC_REPLICAS, Type.INT, -1, AUTO_OR_POSITIVE, Importance.MEDIUM,
                        "min.insync.replicas of the topics rlstream creates: how many copies a write with acks=all "
                                + "needs. -1 = automatic: min(2, replication factor), the broker's default for "
                                + "Streams' internal topics when topic.replication.factor is automatic too.")
                .define(SERDE_SERIALIZER, Type.STRING, "", Importance.LOW,
                        "Value serializer class for another registry (e.g. Confluent's KafkaAvroSerializer); "
                                + "empty = Apicurio's serde at registry.url. Settings prefixed serde.config. configure it.")
                .define(SERDE_DESERIALIZER, Type.STRING, "", Importance.LOW,
                        "Value deserializer class matching serde.serializer (e.g. Confluent's KafkaAvroDeserializer).")
                .define(METRICS_HOST, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.LOW,
                        "Address the Prometheus endpoint binds; 0.0.0.0 to be scraped from other hosts.")
                .define(METRICS_PORT, Type.INT, defaultMetricsPort, ConfigDef.Range.between(-1, 65535), Importance.LOW,
                        METRICS_PORT_DOC);
    }


    /** The keys the definition declares: rlstream's own, never passed to a Kafka client (bar bootstrap.servers). */
    private final Set<String> declared;

    /**
     * Validates {@code originals} against the definition: every key known ({@link KnownSettings}),
     * every config provider variable resolved ({@link ConfigProviders}), every value valid.
     */
    public ServiceConfig(ConfigDef definition, Map<?, ?> originals) {
        super(definition, known(definition, originals), ConfigProviders.providerSettings(originals), false);
        ConfigProviders.requireResolved(originals(), ConfigProviders.providerSettings(originals),
                originals.containsKey(org.apache.kafka.common.config.AbstractConfig.CONFIG_PROVIDERS_CONFIG));
        this.declared = Set.copyOf(definition.names());
    }

    private static Map<?, ?> known(ConfigDef definition, Map<?, ?> originals) {
        KnownSettings.requireKnown(definition, originals);
        return originals;
    }

    /**
     * An enum setting declared with {@link EnumSetting#validator}: the constant its value spells
     * ({@code seq-mean-token-sum-norm} for {@code SEQ_MEAN_TOKEN_SUM_NORM}).
     */
    public <E extends Enum<E>> E getEnum(String key, Class<E> type) {
        return EnumSetting.parse(type, key, getString(key));
    }

    public TopicCatalog catalog() {
        return new TopicCatalog(getString(TOPIC_PREFIX), getInt(GROUP_PARTITIONS));
    }

    /**
     * Registry-backed serdes: Apicurio's, with every {@code apicurio.registry.*} setting passed
     * through, unless {@code serde.serializer} names other classes (configured with the
     * {@code serde.config.*} settings, prefix stripped).
     */
    public SerdeFactory serdes() {
        String serializer = getString(SERDE_SERIALIZER);
        String deserializer = getString(SERDE_DESERIALIZER);
        if (!serializer.isBlank() || !deserializer.isBlank()) {
            if (serializer.isBlank() || deserializer.isBlank()) {
                throw new org.apache.kafka.common.config.ConfigException("set both " + SERDE_SERIALIZER + " and "
                        + SERDE_DESERIALIZER + ", or neither (got '" + serializer + "' and '" + deserializer + "')");
            }
            return new ConfiguredSerdes(serializer, deserializer, originalsWithPrefix(SERDE_CONFIG_PREFIX, true));
        }
        Map<String, Object> overrides = new HashMap<>();
        originals().forEach((k, v) -> {
            if (k.startsWith(REGISTRY_PASSTHROUGH_PREFIX)) {
                overrides.put(k, v);
            }
        });
        return new RegistrySerdes(getString(REGISTRY_URL), overrides);
    }

    /**
     * Settings for a Kafka client: {@code bootstrap.servers}, every Kafka client key set unprefixed
     * (not one this service declares as its own), then every {@code kafka.*} key with the prefix
     * stripped (so {@code kafka.x} wins over {@code x}). Config provider variables are resolved.
     */
    public Map<String, Object> clientProps() {
        Map<String, Object> props = new HashMap<>();
        originals().forEach((k, v) -> {
            // config.providers is a client key too, but its variables are resolved here already.
            if (KafkaClientKeys.contains(k) && !declared.contains(k) && !ConfigProviders.isProviderKey(k)) {
                props.put(k, v);
            }
        });
        props.putAll(originalsWithPrefix(KAFKA_PASSTHROUGH_PREFIX, true));
        props.put(BOOTSTRAP_SERVERS, getString(BOOTSTRAP_SERVERS));
        return props;
    }

    /**
     * Reads settings from an optional properties file, then applies environment overrides
     * ({@code RLSTREAM_} + key upper-cased, '.' and '-' as '_') for the keys the definition declares
     * and for Kafka client keys ({@code RLSTREAM_SASL_JAAS_CONFIG} → {@code sasl.jaas.config}):
     * names are mapped back to known keys, so other {@code RLSTREAM_*} variables are left alone.
     */
    public static Map<String, String> read(Path file, Map<String, String> env, ConfigDef definition) {
        Map<String, String> values = new TreeMap<>();
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("config file " + file + " does not exist or is not a file");
            }
            Properties props = new Properties();
            try (Reader reader = Files.newBufferedReader(file)) {
                props.load(reader);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read config file " + file, e);
            }
            props.stringPropertyNames().forEach(k -> values.put(k, props.getProperty(k).trim()));
        }
        Map<String, String> keysByEnvName = new TreeMap<>();
        KafkaClientKeys.NAMES.forEach(k -> keysByEnvName.put(envName(k), k));
        // The service's own keys last: one of its keys spelt like a Kafka key by its variable is its own.
        definition.names().forEach(k -> keysByEnvName.put(envName(k), k));
        keysByEnvName.forEach((name, key) -> {
            String fromEnv = env.get(name);
            if (fromEnv != null) {
                values.put(key, fromEnv);
            }
        });
        return values;
    }

    /** The environment variable that overrides a key: {@code group.size} → {@code RLSTREAM_GROUP_SIZE}. */
    public static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** A Markdown table of a definition: key, type, default, valid values, meaning. */
    public static String markdown(ConfigDef definition) {
        StringBuilder out = new StringBuilder("| key | type | default | valid values | meaning |\n|---|---|---|---|---|\n");
        for (ConfigDef.ConfigKey key : new java.util.TreeMap<>(definition.configKeys()).values()) {
            String dflt = key.hasDefault() ? String.valueOf(key.defaultValue) : "(required)";
            String valid = key.validator == null ? "" : key.validator.toString();
            out.append("| `").append(key.name).append("` | ").append(key.type.name().toLowerCase(Locale.ROOT))
                    .append(" | `").append(dflt.isEmpty() ? "\"\"" : dflt).append("` | ").append(valid.replace("|", "\\|"))
                    .append(" | ").append(key.documentation).append(" |\n");
        }
        return out.toString();
    }
}
