package io.rlstream.schemas;

import io.apicurio.registry.serde.avro.DefaultAvroDatumProvider;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Apicurio's datum provider with its caches keyed by the schema itself. Apicurio 3.1 keys them
 * by the schema's parsing fingerprint, which it computes again on every record (the schema's
 * canonical form as a string, then a hash): measured in {@code bench processors}, about a tenth
 * of the grouping app's CPU. {@link Schema} caches its hash code and compares by identity first,
 * and the registry client hands out the same Schema instance per schema id, so a lookup here is a
 * pointer comparison. Readers and writers are Apicurio's own; only the cache differs.
 */
public final class CachingAvroDatumProvider<T> extends DefaultAvroDatumProvider<T> {

    private final Map<Schema, DatumReader<T>> readers = new ConcurrentHashMap<>();
    private final Map<Schema, DatumWriter<T>> specificWriters = new ConcurrentHashMap<>();
    private final Map<Schema, DatumWriter<T>> genericWriters = new ConcurrentHashMap<>();

    @Override
    public DatumReader<T> createDatumReader(Schema schema) {
        return readers.computeIfAbsent(schema, super::createDatumReader);
    }

    @Override
    public DatumWriter<T> createDatumWriter(T data, Schema schema) {
        Map<Schema, DatumWriter<T>> writers = data instanceof SpecificRecord ? specificWriters : genericWriters;
        return writers.computeIfAbsent(schema, s -> super.createDatumWriter(data, s));
    }
}
