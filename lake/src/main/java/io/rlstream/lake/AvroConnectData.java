package io.rlstream.lake;

import io.rlstream.tokens.Tokens;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;

/**
 * Maps Avro schemas and values (specific or generic records) to Kafka Connect schemas and
 * values, the shapes the Iceberg sink turns into table columns:
 *
 * <table>
 *   <tr><th>Avro</th><th>Connect</th></tr>
 *   <tr><td>record</td><td>STRUCT (field names kept, snake_case)</td></tr>
 *   <tr><td>string, enum</td><td>STRING (an enum becomes its symbol)</td></tr>
 *   <tr><td>int, long, float, double, boolean</td><td>INT32, INT64, FLOAT32, FLOAT64, BOOLEAN</td></tr>
 *   <tr><td>long timestamp-millis</td><td>Connect {@link Timestamp} (a {@link Date})</td></tr>
 *   <tr><td>bytes, fixed</td><td>BYTES</td></tr>
 *   <tr><td>array, map (string keys)</td><td>ARRAY, MAP(STRING, ...)</td></tr>
 *   <tr><td>union [null, T]</td><td>optional T</td></tr>
 * </table>
 *
 * Other unions have no Connect equivalent and raise a {@link DataException}; our events have none.
 *
 * <p>Packed tokens (issue 18): a {@code bytes} field {@code packed_X} next to an array field
 * {@code X} (token ids as int32, log-probs as float32, little-endian) is not a column of its own:
 * column {@code X} holds the values as an array whichever way the record carried them, so lake
 * tables keep queryable token columns across the change.
 */
public final class AvroConnectData {

    /** Schemas are built once per Avro schema: the registry serde hands out the same instance per id. */
    private final Map<org.apache.avro.Schema, Schema> cache = new IdentityHashMap<>();

    public synchronized Schema schema(org.apache.avro.Schema avro) {
        return cache.computeIfAbsent(avro, a -> build(a, false));
    }

    /** The Connect value of a decoded Avro record, under {@link #schema} of its Avro schema. */
    public Struct struct(IndexedRecord record) {
        return (Struct) value(schema(record.getSchema()), record.getSchema(), record);
    }

    private static Schema build(org.apache.avro.Schema avro, boolean optional) {
        SchemaBuilder b;
        switch (avro.getType()) {
            case RECORD -> {
                b = SchemaBuilder.struct().name(avro.getFullName());
                for (org.apache.avro.Schema.Field f : avro.getFields()) {
                    if (packedTwin(avro, f) != null) {
                        continue;
                    }
                    org.apache.avro.Schema fieldSchema = nonNull(f.schema());
                    b.field(f.name(), build(fieldSchema, fieldSchema != f.schema()));
                }
            }
            case STRING -> b = SchemaBuilder.string();
            case ENUM -> b = SchemaBuilder.string();
            case INT -> b = SchemaBuilder.int32();
            case LONG -> b = isTimestampMillis(avro) ? Timestamp.builder() : SchemaBuilder.int64();
            case FLOAT -> b = SchemaBuilder.float32();
            case DOUBLE -> b = SchemaBuilder.float64();
            case BOOLEAN -> b = SchemaBuilder.bool();
            case BYTES, FIXED -> b = SchemaBuilder.bytes();
            case ARRAY -> {
                org.apache.avro.Schema items = nonNull(avro.getElementType());
                b = SchemaBuilder.array(build(items, items != avro.getElementType()));
            }
            case MAP -> {
                org.apache.avro.Schema values = nonNull(avro.getValueType());
                b = SchemaBuilder.map(Schema.STRING_SCHEMA, build(values, values != avro.getValueType()));
            }
            case UNION -> {
                org.apache.avro.Schema inner = nonNull(avro);
                if (inner == avro) {
                    throw new DataException("Avro union " + avro + " has no Connect equivalent: only [null, T] unions map "
                            + "(to an optional T)");
                }
                return build(inner, true);
            }
            default -> throw new DataException("Avro type " + avro.getType() + " has no Connect mapping (schema " + avro + ")");
        }
        if (avro.getDoc() != null && avro.getType() == org.apache.avro.Schema.Type.RECORD) {
            b.doc(avro.getDoc());
        }
        return optional ? b.optional().build() : b.build();
    }

    private static final String PACKED = "packed_";

    /** The array field {@code X} that {@code packed_X} packs, or null when {@code f} is no such field. */
    private static org.apache.avro.Schema.Field packedTwin(org.apache.avro.Schema record, org.apache.avro.Schema.Field f) {
        if (!f.name().startsWith(PACKED) || nonNull(f.schema()).getType() != org.apache.avro.Schema.Type.BYTES) {
            return null;
        }
        org.apache.avro.Schema.Field twin = record.getField(f.name().substring(PACKED.length()));
        if (twin == null || nonNull(twin.schema()).getType() != org.apache.avro.Schema.Type.ARRAY) {
            return null;
        }
        org.apache.avro.Schema.Type items = nonNull(twin.schema()).getElementType().getType();
        return items == org.apache.avro.Schema.Type.INT || items == org.apache.avro.Schema.Type.FLOAT ? twin : null;
    }

    /** Packed values as the list the array field would hold: int32 or float32, little-endian. */
    private static List<?> unpack(ByteBuffer packed, org.apache.avro.Schema.Type items) {
        if (items == org.apache.avro.Schema.Type.INT) {
            int[] v = Tokens.ints(packed, List.of());
            List<Integer> out = new ArrayList<>(v.length);
            for (int x : v) {
                out.add(x);
            }
            return out;
        }
        float[] v = Tokens.floats(packed, List.of());
        List<Float> out = new ArrayList<>(v.length);
        for (float x : v) {
            out.add(x);
        }
        return out;
    }

    /** T of a [null, T] union (in either order); the schema itself when it is no such union. */
    private static org.apache.avro.Schema nonNull(org.apache.avro.Schema s) {
        if (s.getType() != org.apache.avro.Schema.Type.UNION) {
            return s;
        }
        List<org.apache.avro.Schema> types = s.getTypes();
        if (types.size() == 2) {
            if (types.get(0).getType() == org.apache.avro.Schema.Type.NULL) {
                return types.get(1);
            }
            if (types.get(1).getType() == org.apache.avro.Schema.Type.NULL) {
                return types.get(0);
            }
        }
        return s;
    }

    private static boolean isTimestampMillis(org.apache.avro.Schema s) {
        LogicalType t = s.getLogicalType();
        return t instanceof LogicalTypes.TimestampMillis;
    }

    private static Object value(Schema schema, org.apache.avro.Schema avro, Object v) {
        if (v == null) {
            if (!schema.isOptional()) {
                throw new DataException("null in required Avro field of type " + avro.getType());
            }
            return null;
        }
        org.apache.avro.Schema a = nonNull(avro);
        switch (schema.type()) {
            case STRUCT -> {
                IndexedRecord r = (IndexedRecord) v;
                Struct s = new Struct(schema);
                for (org.apache.avro.Schema.Field f : r.getSchema().getFields()) {
                    if (packedTwin(r.getSchema(), f) != null) {
                        continue;
                    }
                    org.apache.avro.Schema.Field packed = r.getSchema().getField(PACKED + f.name());
                    Object fieldValue = r.get(f.pos());
                    if (packed != null && r.get(packed.pos()) instanceof ByteBuffer bytes) {
                        fieldValue = unpack(bytes, nonNull(f.schema()).getElementType().getType());
                    }
                    s.put(f.name(), value(schema.field(f.name()).schema(), f.schema(), fieldValue));
                }
                return s;
            }
            case STRING -> {
                return v.toString(); // String, Utf8, or an enum symbol (specific enum or GenericEnumSymbol)
            }
            case INT64 -> {
                if (Timestamp.LOGICAL_NAME.equals(schema.name())) {
                    return v instanceof Instant i ? Date.from(i) : new Date(((Number) v).longValue());
                }
                return ((Number) v).longValue();
            }
            case INT32 -> {
                return ((Number) v).intValue();
            }
            case FLOAT32 -> {
                return ((Number) v).floatValue();
            }
            case FLOAT64 -> {
                return ((Number) v).doubleValue();
            }
            case BOOLEAN -> {
                return (Boolean) v;
            }
            case BYTES -> {
                if (v instanceof ByteBuffer bb) {
                    ByteBuffer dup = bb.duplicate();
                    byte[] out = new byte[dup.remaining()];
                    dup.get(out);
                    return out;
                }
                return ((GenericFixed) v).bytes().clone();
            }
            case ARRAY -> {
                Collection<?> items = (Collection<?>) v;
                List<Object> out = new ArrayList<>(items.size());
                for (Object item : items) {
                    out.add(value(schema.valueSchema(), a.getElementType(), item));
                }
                return out;
            }
            case MAP -> {
                Map<?, ?> m = (Map<?, ?>) v;
                Map<String, Object> out = new LinkedHashMap<>();
                m.forEach((k, x) -> out.put(k.toString(), value(schema.valueSchema(), a.getValueType(), x)));
                return out;
            }
            default -> throw new DataException("no Connect value for " + schema.type()
                    + (v instanceof GenericContainer c ? " (" + c.getSchema() + ")" : ""));
        }
    }
}
