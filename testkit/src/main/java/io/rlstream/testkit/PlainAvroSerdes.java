package io.rlstream.testkit;

import io.rlstream.schemas.RegistrySerdes;
import io.rlstream.schemas.SerdeFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Plain Avro binary serdes with no registry and no header: the writer schema is the generated
 * class's own. For unit tests ({@code TopologyTestDriver}, no broker, no registry): the running
 * system and the integration tests use {@link RegistrySerdes}.
 */
public final class PlainAvroSerdes implements SerdeFactory {

    @Override
    public <T extends SpecificRecord> Serde<T> serde(Class<T> type) {
        return Serdes.serdeFrom(serializer(type), deserializer(type));
    }

    private static <T extends SpecificRecord> Serializer<T> serializer(Class<T> type) {
        SpecificDatumWriter<T> writer = new SpecificDatumWriter<>(SpecificData.get().getSchema(type));
        return (topic, value) -> {
            if (value == null) {
                return null;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            try {
                writer.write(value, encoder);
                encoder.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toByteArray();
        };
    }

    private static <T extends SpecificRecord> Deserializer<T> deserializer(Class<T> type) {
        SpecificDatumReader<T> reader = new SpecificDatumReader<>(type);
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, null);
                T value = reader.read(null, decoder);
                if (!decoder.isEnd()) {
                    throw new SerializationException("trailing bytes after a " + type.getSimpleName()
                            + " on " + topic + ": not a plain Avro record of that type");
                }
                return value;
            } catch (IOException | RuntimeException e) {
                if (e instanceof SerializationException se) {
                    throw se;
                }
                throw new SerializationException("cannot decode " + bytes.length + " bytes on " + topic
                        + " as " + type.getSimpleName() + ": " + e, e);
            }
        };
    }
}
