package io.rlstream.lake;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;

/**
 * Reads the lake's Iceberg tables back with the Iceberg Java API (a Hadoop catalog on the
 * warehouse folder): no Spark or engine needed.
 */
public final class LakeTables implements AutoCloseable {

    private final HadoopCatalog catalog;

    public LakeTables(Path warehouse) {
        catalog = new HadoopCatalog();
        catalog.setConf(new Configuration());
        catalog.initialize("rlstream", Map.of("warehouse", warehouse.toAbsolutePath().toUri().toString()));
    }

    /** Table name of a topic: rl.rollouts -> namespace rl, table rollouts. */
    public static TableIdentifier identifier(String topicOrTable) {
        return TableIdentifier.parse(topicOrTable);
    }

    public List<TableIdentifier> tables() {
        List<TableIdentifier> out = new ArrayList<>();
        for (Namespace ns : catalog.listNamespaces()) {
            out.addAll(catalog.listTables(ns));
        }
        return out;
    }

    public boolean exists(String table) {
        return catalog.tableExists(identifier(table));
    }

    public Table table(String table) {
        return catalog.loadTable(identifier(table));
    }

    /** Rows in the current snapshot, from its summary (no data read); 0 for a table without one. */
    public long count(String table) {
        Table t = table(table);
        t.refresh();
        Snapshot s = t.currentSnapshot();
        return s == null ? 0 : Long.parseLong(s.summary().getOrDefault("total-records", "0"));
    }

    /** Every row, as maps of column to plain Java values (see {@link #plain}). */
    public List<Map<String, Object>> rows(String table) {
        List<Map<String, Object>> out = new ArrayList<>();
        Table t = table(table);
        t.refresh();
        try (CloseableIterable<Record> rows = IcebergGenerics.read(t).build()) {
            for (Record r : rows) {
                out.add(plain(r));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    /** Per Kafka partition of the rows' source: the highest {@code _kafka_offset} + 1 in the table. */
    public Map<Integer, Long> offsetEnds(String table) {
        Map<Integer, Long> ends = new HashMap<>();
        Table t = table(table);
        t.refresh();
        try (CloseableIterable<Record> rows = IcebergGenerics.read(t)
                .select(LakeConnectors.PARTITION_FIELD, LakeConnectors.OFFSET_FIELD).build()) {
            for (Record r : rows) {
                Integer p = (Integer) r.getField(LakeConnectors.PARTITION_FIELD);
                Long o = (Long) r.getField(LakeConnectors.OFFSET_FIELD);
                ends.merge(p, o + 1, Math::max);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return ends;
    }

    /** A record as a map: nested records as maps, timestamps as ISO strings, bytes as base64. */
    public static Map<String, Object> plain(Record r) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Types.NestedField f : r.struct().fields()) {
            m.put(f.name(), plainValue(r.getField(f.name())));
        }
        return m;
    }

    private static Object plainValue(Object v) {
        if (v instanceof Record r) {
            return plain(r);
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(x -> out.add(plainValue(x)));
            return out;
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(plainValue(k), plainValue(x)));
            return out;
        }
        if (v instanceof Temporal t) {
            return t.toString();
        }
        if (v instanceof ByteBuffer b) {
            ByteBuffer d = b.duplicate();
            byte[] bytes = new byte[d.remaining()];
            d.get(bytes);
            return Base64.getEncoder().encodeToString(bytes);
        }
        if (v instanceof CharSequence s) {
            return s.toString();
        }
        return v;
    }

    @Override
    public void close() throws Exception {
        catalog.close();
    }
}
