package io.rlstream.producers.prompts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;

/**
 * Parquet rows, read from the local file system without Hadoop (parquet's {@link LocalInputFile}
 * and {@link PlainParquetConfiguration}), each converted to a JSON object so the same
 * {@link PromptMapper} maps JSONL and parquet: structs become objects, lists arrays, maps objects,
 * strings and byte arrays text (UTF-8), numbers and booleans themselves. Lists written by pyarrow
 * and Hugging Face datasets (the 3-level LIST layout) read as plain lists of their elements.
 */
public final class ParquetPromptSource implements PromptSource {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final ParquetReader<GenericRecord> reader;
    private long number;

    private ParquetPromptSource(ParquetReader<GenericRecord> reader) {
        this.reader = reader;
    }

    public static ParquetPromptSource open(Path file) throws IOException {
        PlainParquetConfiguration conf = new PlainParquetConfiguration();
        // Without this, a 3-level list of structs (pyarrow's layout for verl's "prompt" column) reads as
        // a list of one-field "list" records wrapping each message.
        conf.setBoolean(AvroSchemaConverter.ADD_LIST_ELEMENT_RECORDS, false);
        try {
            // The data model given: otherwise parquet-avro builds a Hadoop Configuration to look one up.
            return new ParquetPromptSource(AvroParquetReader.<GenericRecord>builder(new LocalInputFile(file), conf)
                    .withDataModel(GenericData.get()).build());
        } catch (RuntimeException e) {
            throw new IOException("cannot read " + file + " as parquet: " + e.getMessage(), e);
        }
    }

    @Override
    public Row next() throws IOException {
        GenericRecord record;
        try {
            record = reader.read();
        } catch (RuntimeException e) {
            throw new IOException("parquet row " + (number + 1) + " cannot be read: " + e.getMessage(), e);
        }
        if (record == null) {
            return null;
        }
        number++;
        return new Row(number, json(record), null);
    }

    /** An Avro value of a parquet row as JSON. */
    static JsonNode json(Object value) {
        if (value == null) {
            return NODES.nullNode();
        }
        if (value instanceof GenericRecord r) {
            ObjectNode o = NODES.objectNode();
            for (Schema.Field f : r.getSchema().getFields()) {
                o.set(f.name(), json(r.get(f.pos())));
            }
            return o;
        }
        if (value instanceof Map<?, ?> m) {
            ObjectNode o = NODES.objectNode();
            m.forEach((k, v) -> o.set(String.valueOf(k), json(v)));
            return o;
        }
        if (value instanceof Collection<?> c) {
            ArrayNode a = NODES.arrayNode();
            c.forEach(v -> a.add(json(v)));
            return a;
        }
        if (value instanceof CharSequence s) {
            return NODES.textNode(s.toString());
        }
        if (value instanceof Integer i) {
            return NODES.numberNode(i);
        }
        if (value instanceof Long l) {
            return NODES.numberNode(l);
        }
        if (value instanceof Float f) {
            return NODES.numberNode(f);
        }
        if (value instanceof Double d) {
            return NODES.numberNode(d);
        }
        if (value instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (value instanceof ByteBuffer b) {
            ByteBuffer copy = b.duplicate();
            byte[] bytes = new byte[copy.remaining()];
            copy.get(bytes);
            return NODES.textNode(new String(bytes, StandardCharsets.UTF_8));
        }
        if (value instanceof GenericFixed f) {
            return NODES.textNode(new String(f.bytes(), StandardCharsets.UTF_8));
        }
        return NODES.textNode(value.toString());
    }

    @Override
    public String unit() {
        return "row";
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
