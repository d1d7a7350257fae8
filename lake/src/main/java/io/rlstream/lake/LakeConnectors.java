package io.rlstream.lake;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Connect worker and connector configurations of {@code rlstream connect}, as maps. The same
 * settings, as files for a stock {@code connect-standalone.sh}, are in ops/connect/.
 *
 * <p>{@code --set} keys: {@code worker.K} sets the worker's {@code K}; {@code iceberg.*} keys go to
 * the Iceberg sink (e.g. {@code iceberg.catalog.type=rest}, {@code iceberg.catalog.uri=...},
 * {@code iceberg.catalog.io-impl=org.apache.iceberg.aws.s3.S3FileIO}); {@code jsonl.*} to the
 * JSONL sink; any other key to both connectors (e.g. {@code errors.tolerance=none}).
 *
 * <p>{@code client}: Kafka client settings (security.protocol, sasl.*, ssl.*, as in Kafka's
 * {@code --command-config} file) for every client of the run: the worker's own, its sink tasks'
 * consumers, dead-letter producers and admins ({@code consumer.}, {@code producer.}, {@code admin.}
 * prefixes: Connect does not pass the worker's top-level security settings to task clients), the
 * Iceberg sink's clients ({@code iceberg.kafka.}) and the command's own ({@link #clientProps}).
 */
public record LakeConnectors(String bootstrapServers, String registryUrl, Path lakeDir, List<String> topics,
        Map<String, String> settings, Map<String, String> client) {

    /** Without client settings beyond the bootstrap servers (a plaintext cluster). */
    public LakeConnectors(String bootstrapServers, String registryUrl, Path lakeDir, List<String> topics,
            Map<String, String> settings) {
        this(bootstrapServers, registryUrl, lakeDir, topics, settings, Map.of());
    }

    /** Settings for the command's own Kafka clients (admin, consumer): bootstrap servers and {@link #client}. */
    public Map<String, Object> clientProps() {
        Map<String, Object> props = new LinkedHashMap<>(client);
        props.put("bootstrap.servers", bootstrapServers);
        return props;
    }

    public static final String ICEBERG = "rlstream-iceberg";
    public static final String JSONL = "rlstream-jsonl";
    /** The Iceberg sink's coordination topic (commit requests and data-file reports). */
    public static final String CONTROL_TOPIC = "rl.iceberg-control";
    /** The Iceberg sink's setting that starts its producers' transactional ids. */
    public static final String TRANSACTIONAL_PREFIX = "iceberg.coordinator.transactional.prefix";
    /** Where records the converter cannot decode go, with the error in the record headers. */
    public static final String DEAD_LETTER_TOPIC = "rl.dead-letters.connect";
    /** Columns every row gets, so a row leads back to its record. */
    public static final String TOPIC_FIELD = "_kafka_topic";
    public static final String PARTITION_FIELD = "_kafka_partition";
    public static final String OFFSET_FIELD = "_kafka_offset";
    public static final String TIMESTAMP_FIELD = "_kafka_timestamp";

    public Path warehouse() {
        return lakeDir.resolve("iceberg");
    }

    public Path jsonlDir() {
        return lakeDir.resolve("jsonl");
    }

    /** The consumer group a connector's sink task reads with (Connect names it connect-NAME). */
    public static String group(String connector) {
        return "connect-" + connector;
    }

    public Map<String, String> worker() {
        Map<String, String> w = new LinkedHashMap<>();
        w.put("bootstrap.servers", bootstrapServers);
        w.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        w.put("value.converter", AvroEventConverter.class.getName());
        w.put("value.converter." + AvroEventConverter.REGISTRY_URL, registryUrl);
        w.put("offset.storage.file.filename", lakeDir.resolve("connect.offsets").toString());
        // Sink offsets live in the consumer groups; commit them often so a restart repeats little.
        w.put("offset.flush.interval.ms", "2000");
        // Transactions are aborted on failures (training batches, the services' EOS): never sink those.
        w.put("consumer.isolation.level", "read_committed");
        // A random loopback port: several workers (or engineers) on one machine do not collide.
        w.put("listeners", "http://127.0.0.1:0");
        // Plugins are found through their META-INF/services files; no class-path scan (slow on ours).
        w.put("plugin.discovery", "service_load");
        client.forEach((k, v) -> {
            w.put(k, v);
            for (String prefix : List.of("consumer.", "producer.", "admin.")) {
                w.put(prefix + k, v);
            }
        });
        settings.forEach((k, v) -> {
            if (k.startsWith("worker.")) {
                w.put(k.substring("worker.".length()), v);
            }
        });
        return w;
    }

    public Map<String, String> iceberg() {
        Map<String, String> c = common(ICEBERG);
        c.put("connector.class", "org.apache.iceberg.connect.IcebergSinkConnector");
        // One table per topic: the route field holds the topic, so rl.rollouts -> namespace rl, table rollouts.
        c.put("iceberg.tables.dynamic-enabled", "true");
        c.put("iceberg.tables.route-field", TOPIC_FIELD);
        c.put("iceberg.tables.auto-create-enabled", "true");
        c.put("iceberg.tables.evolve-schema-enabled", "true");
        c.put("iceberg.control.topic", CONTROL_TOPIC);
        // A table commit every 5 s: a short lag to the lake, and small files only at demo scale.
        c.put("iceberg.control.commit.interval-ms", "5000");
        c.put("iceberg.control.commit.timeout-ms", "30000");
        // Its producers' transactional ids are this + worker|coordinator + a suffix; with the connector's
        // name first they fall under the rlstream-* ids `rlstream acls` grants connect (ConnectAclsIT).
        c.put(TRANSACTIONAL_PREFIX, ICEBERG + "-");
        c.put("iceberg.catalog.type", "hadoop");
        c.put("iceberg.catalog.warehouse", warehouse().toUri().toString());
        // Embedded, the sink cannot read the worker's file for its own clients: pass them.
        c.put("iceberg.kafka.bootstrap.servers", bootstrapServers);
        client.forEach((k, v) -> c.put("iceberg.kafka." + k, v));
        settings.forEach((k, v) -> {
            if (k.startsWith("iceberg.") || !k.startsWith("jsonl.") && !k.startsWith("worker.")) {
                c.put(k, v);
            }
        });
        return c;
    }

    public Map<String, String> jsonl() {
        Map<String, String> c = common(JSONL);
        c.put("connector.class", JsonLinesSinkConnector.class.getName());
        c.put(JsonLinesSinkConnector.DIR, jsonlDir().toString());
        settings.forEach((k, v) -> {
            if (k.startsWith("jsonl.") || !k.startsWith("iceberg.") && !k.startsWith("worker.")) {
                c.put(k, v);
            }
        });
        return c;
    }

    private Map<String, String> common(String name) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("name", name);
        c.put("tasks.max", "1");
        c.put("topics", String.join(",", topics));
        c.put("transforms", "kafka");
        c.put("transforms.kafka.type", "org.apache.kafka.connect.transforms.InsertField$Value");
        c.put("transforms.kafka.topic.field", TOPIC_FIELD);
        c.put("transforms.kafka.partition.field", PARTITION_FIELD);
        c.put("transforms.kafka.offset.field", OFFSET_FIELD);
        c.put("transforms.kafka.timestamp.field", TIMESTAMP_FIELD);
        // A record the converter cannot decode goes to the dead-letter topic with the error in its
        // headers (__connect.errors.*), and is logged; the sink keeps going. Never silent loss.
        c.put("errors.tolerance", "all");
        c.put("errors.deadletterqueue.topic.name", DEAD_LETTER_TOPIC);
        c.put("errors.deadletterqueue.context.headers.enable", "true");
        c.put("errors.log.enable", "true");
        c.put("errors.log.include.messages", "false");
        return c;
    }
}
