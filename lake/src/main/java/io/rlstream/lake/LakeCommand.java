package io.rlstream.lake;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/**
 * {@code rlstream lake tables|count TABLE|head TABLE}: the lake's Iceberg tables read back with
 * the Iceberg Java API, to look without Spark or DuckDB.
 */
public final class LakeCommand {

    static final String HELP = """
            Usage: rlstream lake tables|count TABLE|head TABLE [flags]

            Read the Iceberg tables that rlstream connect writes (Hadoop catalog under DIR/iceberg):
              tables               every table with its row count and columns
              count TABLE          rows in the table's current snapshot, e.g. rlstream lake count rl.rollouts
              head TABLE           the first rows as JSON, one per line
                  --n N              how many (default 5)

              --lake DIR           lake folder (default lake/)
              --warehouse DIR      the Iceberg warehouse itself (default DIR/iceberg)
              --help               this text
            """;

    private LakeCommand() {
    }

    public static int run(List<String> argv, PrintStream out, PrintStream err) {
        List<String> positional = new ArrayList<>();
        Path lake = Path.of("lake");
        Path warehouse = null;
        int n = 5;
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.equals("--help") || a.equals("-h")) {
                out.print(HELP);
                return ConnectCommand.OK;
            }
            if (a.equals("--lake") || a.equals("--warehouse") || a.equals("--n")) {
                if (i + 1 >= argv.size()) {
                    err.println("rlstream lake: " + a + " needs a value");
                    return ConnectCommand.USAGE;
                }
                String v = argv.get(++i);
                try {
                    switch (a) {
                        case "--lake" -> lake = Path.of(v);
                        case "--warehouse" -> warehouse = Path.of(v);
                        default -> n = Integer.parseInt(v);
                    }
                } catch (NumberFormatException e) {
                    err.println("rlstream lake: --n takes a whole number, got '" + v + "'");
                    return ConnectCommand.USAGE;
                }
            } else if (a.startsWith("--")) {
                err.println("rlstream lake: unknown flag '" + a + "' (rlstream lake --help)");
                return ConnectCommand.USAGE;
            } else {
                positional.add(a);
            }
        }
        if (positional.isEmpty()) {
            err.print(HELP);
            return ConnectCommand.USAGE;
        }
        String sub = positional.get(0);
        if ((sub.equals("count") || sub.equals("head")) && positional.size() != 2) {
            err.println("rlstream lake: " + sub + " takes one table, e.g. rlstream lake " + sub + " rl.rollouts");
            return ConnectCommand.USAGE;
        }
        Path wh = warehouse != null ? warehouse : lake.resolve("iceberg");
        if (!Files.isDirectory(wh)) {
            err.println("rlstream lake: no Iceberg warehouse at " + wh.toAbsolutePath()
                    + " (run rlstream connect first, or pass --lake / --warehouse)");
            return ConnectCommand.FAILED;
        }
        try (LakeTables tables = new LakeTables(wh)) {
            switch (sub) {
                case "tables" -> {
                    for (TableIdentifier id : tables.tables()) {
                        out.printf("%s\t%d rows\t%s%n", id, tables.count(id.toString()),
                                tables.table(id.toString()).schema().columns().stream().map(c -> c.name())
                                        .reduce((x, y) -> x + "," + y).orElse(""));
                    }
                    return ConnectCommand.OK;
                }
                case "count", "head" -> {
                    String table = positional.get(1);
                    if (!tables.exists(table)) {
                        err.println("rlstream lake: no table " + table + " in " + wh.toAbsolutePath() + "; tables: "
                                + tables.tables());
                        return ConnectCommand.FAILED;
                    }
                    if (sub.equals("count")) {
                        out.println(tables.count(table));
                        return ConnectCommand.OK;
                    }
                    ObjectMapper json = new ObjectMapper();
                    try (CloseableIterable<Record> rows = IcebergGenerics.read(tables.table(table)).build()) {
                        int shown = 0;
                        for (Record r : rows) {
                            if (shown++ >= n) {
                                break;
                            }
                            Map<String, Object> row = LakeTables.plain(r);
                            out.println(json.writeValueAsString(row));
                        }
                    }
                    return ConnectCommand.OK;
                }
                default -> {
                    err.println("rlstream lake: unknown subcommand '" + sub + "'; tables, count or head");
                    return ConnectCommand.USAGE;
                }
            }
        } catch (Exception e) {
            err.println("rlstream lake " + sub + " failed: " + e);
            return ConnectCommand.FAILED;
        }
    }
}
