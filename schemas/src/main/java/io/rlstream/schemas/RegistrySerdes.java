package io.rlstream.schemas;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro serdes backed by a schema registry, writing the Confluent wire format (magic byte 0, a
 * 4-byte schema id, then Avro binary) so that any Confluent-compatible consumer can read our
 * topics. Schemas are registered on first write under the topic's {@code <topic>-value} subject.
 *
 * <p>The client is Apicurio's Kafka serde; every {@code apicurio.registry.*} setting the user
 * gives passes through and overrides the defaults set here.
 */
public final class RegistrySerdes implements SerdeFactory {

    /** Registry URL setting, as Apicurio's serde names it. */
    public static final String REGISTRY_URL = "apicurio.registry.url";

    private final Map<String, Object> config;

    /**
     * @param registryUrl the registry's API root, e.g. {@code http://127.0.0.1:8081/apis/registry/v2}
     * @param overrides   further serde settings (auth, TLS, ...), applied last
     */
    public RegistrySerdes(String registryUrl, Map<String, ?> overrides) {
        Map<String, Object> c = new HashMap<>(defaults(registryUrl));
        c.putAll(overrides);
        this.config = Map.copyOf(c);
    }

    /** The serde settings used for a registry URL: Confluent framing, auto-registration, specific records. */
    public static Map<String, Object> defaults(String registryUrl) {
        Map<String, Object> c = new HashMap<>();
        c.put(REGISTRY_URL, registryUrl);
        c.put("apicurio.registry.auto-register", "true");
        c.put("apicurio.registry.find-latest", "false");
        // Confluent wire format: schema id in the payload (not in headers), 4 bytes, content id.
        c.put("apicurio.registry.headers.enabled", "false");
        c.put("apicurio.registry.id-handler", "io.apicurio.registry.serde.Default4ByteIdHandler");
        c.put("apicurio.registry.use-id", "contentId");
        c.put("apicurio.registry.use-specific-avro-reader", "true");
        // Apicurio's default recomputes a schema fingerprint per record (issue 18).
        c.put("apicurio.registry.avro-datum-provider", CachingAvroDatumProvider.class.getName());
        // One self-contained schema per <topic>-value subject, as Confluent's serializer registers
        // it, instead of separate subjects for nested named types (FinishReason, ...).
        c.put("apicurio.registry.dereference-schema", "true");
        return c;
    }

    /** True with our framing (magic byte, 4-byte id in the payload), which the id cache relies on. */
    boolean idsInPayload() {
        return "false".equals(String.valueOf(config.get("apicurio.registry.headers.enabled")))
                && "io.apicurio.registry.serde.Default4ByteIdHandler".equals(
                        String.valueOf(config.get("apicurio.registry.id-handler")));
    }

    public Map<String, Object> config() {
        return config;
    }

    @Override
    public <T extends SpecificRecord> Serde<T> serde(Class<T> type) {
        @SuppressWarnings("unchecked")
        Serializer<T> serializer = (Serializer<T>) (Serializer<?>) new AvroKafkaSerializer<T>();
        @SuppressWarnings("unchecked")
        Deserializer<T> deserializer = (Deserializer<T>) (Deserializer<?>) new AvroKafkaDeserializer<T>();
        if (idsInPayload()) {
            serializer = new SchemaIdCachingSerializer<>(serializer);
        }
        serializer.configure(config, false);
        deserializer.configure(config, false);
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
