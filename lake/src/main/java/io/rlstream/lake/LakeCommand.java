package io.rlstream.lake;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlstream.config.CommandExecution;
import io.rlstream.config.HelpOption;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
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
@Command(name = "lake", description = {"Read the Iceberg tables that rlstream connect writes (Hadoop catalog under DIR/iceberg)."},
        subcommands = {LakeCommand.Tables.class, LakeCommand.Count.class, LakeCommand.Head.class},
        footer = {"", "Run 'rlstream lake SUBCOMMAND --help' for its flags."})
public final class LakeCommand implements Callable<Integer> {

    /** A command object for picocli (a subcommand of {@code rlstream}). */
    public LakeCommand() {
    }

    @Mixin
    HelpOption help;

    @Spec
    CommandSpec spec;

    /** {@code rlstream lake} alone: which subcommands there are, on stderr; a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ConnectCommand.USAGE;
    }

    /** {@code rlstream lake tables|count|head ...}: see {@code --help}. */
    public static int run(List<String> argv, PrintStream out, PrintStream err) {
        return CommandExecution.execute(new LakeCommand(), "rlstream lake", argv, out, err);
    }

    /** Where the lake is: the flags every subcommand takes. */
    public static final class Location {

        @Option(names = "--lake", paramLabel = "DIR", description = "Lake folder (default lake/).")
        Path lake = Path.of("lake");

        @Option(names = "--warehouse", paramLabel = "DIR", description = "The Iceberg warehouse itself (default DIR/iceberg).")
        Path warehouse;

        Path warehouse() {
            return warehouse != null ? warehouse : lake.resolve("iceberg");
        }
    }

    /** What a subcommand does with the open tables; returns the exit code. */
    interface TablesBody {
        int run(LakeTables tables, Path warehouse, PrintStream out, PrintStream err) throws Exception;
    }

    static int withTables(CommandSpec spec, Location location, String sub, TablesBody body) {
        PrintStream out = CommandExecution.out(spec);
        PrintStream err = CommandExecution.err(spec);
        Path wh = location.warehouse();
        if (!Files.isDirectory(wh)) {
            err.println("rlstream lake: no Iceberg warehouse at " + wh.toAbsolutePath()
                    + " (run rlstream connect first, or pass --lake / --warehouse)");
            return ConnectCommand.FAILED;
        }
        try (LakeTables tables = new LakeTables(wh)) {
            return body.run(tables, wh, out, err);
        } catch (Exception e) {
            err.println("rlstream lake " + sub + " failed: " + e);
            return ConnectCommand.FAILED;
        }
    }

    static boolean exists(LakeTables tables, String table, Path wh, PrintStream err) {
        if (!tables.exists(table)) {
            err.println("rlstream lake: no table " + table + " in " + wh.toAbsolutePath() + "; tables: " + tables.tables());
            return false;
        }
        return true;
    }

    /** {@code rlstream lake tables}. */
    @Command(name = "tables", description = "Every table with its row count and columns.")
    public static final class Tables implements Callable<Integer> {
        @Mixin
        Location location;
        @Mixin
        HelpOption help;
        @Spec
        CommandSpec spec;

        public Tables() {
        }

        @Override
        public Integer call() {
            return withTables(spec, location, "tables", (tables, wh, out, err) -> {
                for (TableIdentifier id : tables.tables()) {
                    out.printf("%s\t%d rows\t%s%n", id, tables.count(id.toString()),
                            tables.table(id.toString()).schema().columns().stream().map(c -> c.name())
                                    .reduce((x, y) -> x + "," + y).orElse(""));
                }
                return ConnectCommand.OK;
            });
        }
    }

    /** {@code rlstream lake count TABLE}. */
    @Command(name = "count", description = "Rows in the table's current snapshot, e.g. rlstream lake count rl.rollouts.")
    public static final class Count implements Callable<Integer> {
        @Parameters(paramLabel = "TABLE", description = "The table, e.g. rl.rollouts.")
        String table;
        @Mixin
        Location location;
        @Mixin
        HelpOption help;
        @Spec
        CommandSpec spec;

        public Count() {
        }

        @Override
        public Integer call() {
            return withTables(spec, location, "count", (tables, wh, out, err) -> {
                if (!exists(tables, table, wh, err)) {
                    return ConnectCommand.FAILED;
                }
                out.println(tables.count(table));
                return ConnectCommand.OK;
            });
        }
    }

    /** {@code rlstream lake head TABLE [--n N]}. */
    @Command(name = "head", description = "The first rows as JSON, one per line.")
    public static final class Head implements Callable<Integer> {
        @Parameters(paramLabel = "TABLE", description = "The table, e.g. rl.metrics.")
        String table;
        @Option(names = "--n", paramLabel = "N", description = "How many rows (default 5).")
        int n = 5;
        @Mixin
        Location location;
        @Mixin
        HelpOption help;
        @Spec
        CommandSpec spec;

        public Head() {
        }

        @Override
        public Integer call() {
            return withTables(spec, location, "head", (tables, wh, out, err) -> {
                if (!exists(tables, table, wh, err)) {
                    return ConnectCommand.FAILED;
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
            });
        }
    }
}
