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

    /** A per-thread output buffer, kept between records; one that grew past this is dropped after use. */
    private static final int KEEP_BUFFER_BYTES = 1 << 20;

    /** ByteArrayOutputStream that exposes its capacity, to drop an outgrown one. */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer() {
            super(8192);
        }

        int capacity() {
            return buf.length;
        }
    }

    private final Serializer<T> registry;
    private final Map<Key, Framing> framings = new ConcurrentHashMap<>();
    private final ThreadLocal<Buffer> buffers = ThreadLocal.withInitial(Buffer::new);
    private final ThreadLocal<BinaryEncoder> encoders = new ThreadLocal<>();

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
        // A buffered encoder into a reused buffer: an unbuffered one wrote each number to the stream
        // separately (the largest cost of the grouping app's output in a profile, issue 18).
        Buffer out = buffers.get();
        out.reset();
        out.write(framing.header(), 0, HEADER_BYTES);
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, encoders.get());
        encoders.set(encoder);
        try {
            framing.writer().write(data, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a " + data.getSchema().getFullName() + " for " + topic, e);
        }
        byte[] bytes = out.toByteArray();
        if (out.capacity() > KEEP_BUFFER_BYTES) {
            buffers.remove();
        }
        return bytes;
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
