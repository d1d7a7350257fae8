package io.rlstream.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The registry serializer, with the schema id remembered per topic and schema. Apicurio's
 * serializer renders the record's schema as JSON for every record to look up its id (measured in
 * {@code bench processors}: about 15 µs for a TrainingBatchGroup, per record, per store write).
 * Here the first record of each topic and schema goes through Apicurio, which registers the
 * schema and frames the record (magic byte 0, the 4-byte id, Avro binary: the Confluent wire
 * format); later records are framed with the same 5 bytes and encoded with the same Avro writer,
 * so the bytes are the ones Apicurio would write. Used only with that framing (ids in the
 * payload, not in headers): {@link RegistrySerdes} checks.
 */
final class SchemaIdCachingSerializer<T extends SpecificRecord> implements Serializer<T> {

    static final int HEADER_BYTES = 5;

    private record Framing(byte[] header, SpecificDatumWriter<SpecificRecord> writer) {
    }

    private record Key(String topic, Schema schema) {
    }

    private final Serializer<T> registry;
    private final Map<Key, Framing> framings = new ConcurrentHashMap<>();

    SchemaIdCachingSerializer(Serializer<T> registry) {
        this.registry = registry;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        registry.configure(configs, isKey);
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return registry.serialize(topic, null);
        }
        Key key = new Key(topic, data.getSchema());
        Framing framing = framings.get(key);
        if (framing == null) {
            byte[] first = registry.serialize(topic, data);
            if (first != null && first.length >= HEADER_BYTES && first[0] == 0) {
                framings.put(key, new Framing(Arrays.copyOf(first, HEADER_BYTES),
                        new SpecificDatumWriter<>(data.getSchema())));
            }
            return first;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.writeBytes(framing.header());
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            framing.writer().write(data, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a " + data.getSchema().getFullName() + " for " + topic, e);
        }
        return out.toByteArray();
    }

    @Override
    public byte[] serialize(String topic, Headers headers, T data) {
        // Ids travel in the payload (RegistrySerdes' framing), so headers are not touched.
        return serialize(topic, data);
    }

    @Override
    public void close() {
        registry.close();
    }
}
