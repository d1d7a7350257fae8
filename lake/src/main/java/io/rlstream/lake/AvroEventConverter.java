package io.rlstream.lake;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.rlstream.schemas.RegistrySerdes;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.generic.IndexedRecord;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.storage.Converter;

/**
 * Reads our topics' values into Connect: Avro in the Confluent wire format (magic byte 0, a
 * 4-byte schema id, Avro binary) decoded with the registry serde, then mapped by
 * {@link AvroConnectData}. Sink-only: it does not write.
 *
 * <p>Settings (as {@code value.converter.*} in the worker config): {@code registry.url} (the
 * registry API root, e.g. {@code http://127.0.0.1:8081/apis/registry/v2}), plus any
 * {@code apicurio.registry.*} serde setting (auth, TLS), passed through. Records are decoded as
 * generic Avro by default, so any Avro topic of the registry can be sunk, not only our events;
 * {@code apicurio.registry.use-specific-avro-reader=true} decodes into the generated classes.
 *
 * <p>Bytes that cannot be decoded raise a {@link DataException} naming the topic and what came;
 * the worker's error handler then routes the record ({@code errors.tolerance=all} and
 * {@code errors.deadletterqueue.topic.name}, as {@link LakeConnectors} configures it) or stops
 * the task. A bad record is never dropped silently.
 */
public final class AvroEventConverter implements Converter {

    /** The registry URL setting, as every rlstream service names it. */
    public static final String REGISTRY_URL = "registry.url";

    private Deserializer<Object> deserializer;
    private final AvroConnectData mapping = new AvroConnectData();

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        Object url = configs.get(REGISTRY_URL);
        if (url == null) {
            url = configs.get(RegistrySerdes.REGISTRY_URL);
        }
        if (url == null || url.toString().isBlank()) {
            throw new org.apache.kafka.common.config.ConfigException("AvroEventConverter needs " + REGISTRY_URL
                    + " (value.converter.registry.url), the schema registry API root, e.g. "
                    + "http://127.0.0.1:8081/apis/registry/v2");
        }
        Map<String, Object> serde = new HashMap<>(RegistrySerdes.defaults(url.toString()));
        serde.put("apicurio.registry.use-specific-avro-reader", "false");
        configs.forEach((k, v) -> {
            if (k.startsWith("apicurio.registry.")) {
                serde.put(k, v);
            }
        });
        @SuppressWarnings({"unchecked", "rawtypes"})
        Deserializer<Object> d = (Deserializer) new AvroKafkaDeserializer<>();
        d.configure(serde, isKey);
        this.deserializer = d;
    }

    @Override
    public SchemaAndValue toConnectData(String topic, byte[] value) {
        return toConnectData(topic, null, value);
    }

    @Override
    public SchemaAndValue toConnectData(String topic, Headers headers, byte[] value) {
        if (value == null) {
            return SchemaAndValue.NULL; // a tombstone on a compacted topic
        }
        Object decoded;
        try {
            decoded = headers == null ? deserializer.deserialize(topic, value) : deserializer.deserialize(topic, headers, value);
        } catch (RuntimeException e) {
            throw new DataException(describe(topic, value) + " cannot be decoded as registry Avro: " + e.getMessage()
                    + ". Expected magic byte 0, a 4-byte schema id known to the registry, then Avro binary.", e);
        }
        if (!(decoded instanceof IndexedRecord record)) {
            throw new DataException(describe(topic, value) + " decoded to " + (decoded == null ? "null" : decoded.getClass().getName())
                    + ", not an Avro record; the lake sinks record-valued topics only");
        }
        return new SchemaAndValue(mapping.schema(record.getSchema()), mapping.struct(record));
    }

    private static String describe(String topic, byte[] value) {
        return String.format("value on %s (%d bytes, first byte 0x%02x)", topic, value.length, value.length == 0 ? 0 : value[0]);
    }

    @Override
    public byte[] fromConnectData(String topic, Schema schema, Object value) {
        throw new DataException("AvroEventConverter only reads (sink connectors); use the services' registry serde to write "
                + topic);
    }

    @Override
    public ConfigDef config() {
        return new ConfigDef().define(REGISTRY_URL, ConfigDef.Type.STRING, ConfigDef.Importance.HIGH,
                "Schema registry API root, e.g. http://127.0.0.1:8081/apis/registry/v2");
    }

    @Override
    public void close() {
        if (deserializer != null) {
            deserializer.close();
        }
    }
}
