package io.rlstream.schemas;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Serdes made from class names and their settings, for registries other than Apicurio: for a
 * Confluent Schema Registry, {@code io.confluent.kafka.serializers.KafkaAvroSerializer} and
 * {@code KafkaAvroDeserializer} with {@code schema.registry.url} and
 * {@code specific.avro.reader=true}. The classes must be on the class path.
 */
public final class ConfiguredSerdes implements SerdeFactory {

    private final String serializerClass;
    private final String deserializerClass;
    private final Map<String, Object> config;

    public ConfiguredSerdes(String serializerClass, String deserializerClass, Map<String, Object> config) {
        this.serializerClass = serializerClass;
        this.deserializerClass = deserializerClass;
        this.config = Map.copyOf(config);
    }

    @Override
    public <T extends SpecificRecord> Serde<T> serde(Class<T> type) {
        @SuppressWarnings("unchecked")
        Serializer<T> serializer = (Serializer<T>) instantiate(serializerClass, Serializer.class);
        @SuppressWarnings("unchecked")
        Deserializer<T> deserializer = (Deserializer<T>) instantiate(deserializerClass, Deserializer.class);
        serializer.configure(config, false);
        deserializer.configure(config, false);
        return Serdes.serdeFrom(serializer, deserializer);
    }

    private static <T> T instantiate(String className, Class<T> kind) {
        try {
            return Utils.newInstance(className, kind);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("serde class " + className + " is not on the class path; add its jar "
                    + "(bin/rlstream: RLSTREAM_EXTRA_CLASSPATH)", e);
        }
    }
}
