package io.rlstream.ops;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Entry point of the broker child process (internal): formats the KRaft storage if it is not
 * formatted yet ({@code kafka.tools.StorageTool format}: {@code --standalone} for a single node;
 * a cluster node's server.properties names the static quorum, {@code controller.quorum.voters},
 * which needs no flag), then runs {@code kafka.Kafka}. A restarted node finds its storage
 * formatted and keeps it.
 * Both in one JVM saves a JVM start. Exits with the parent (see {@link ChildMain}).
 * Usage: {@code KafkaBrokerMain SERVER_PROPERTIES CLUSTER_ID LOG_DIR}.
 */
public final class KafkaBrokerMain {

    private KafkaBrokerMain() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length != 3) {
            System.err.println("usage: KafkaBrokerMain SERVER_PROPERTIES CLUSTER_ID LOG_DIR");
            System.exit(2);
        }
        ChildMain.exitWithParent();
        String properties = args[0];
        String clusterId = args[1];
        Path logDir = Path.of(args[2]);
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            Method execute = Class.forName("kafka.tools.StorageTool")
                    .getMethod("execute", String[].class, java.io.PrintStream.class);
            int rc;
            java.util.Properties server = new java.util.Properties();
            try (var in = Files.newBufferedReader(Path.of(properties))) {
                server.load(in);
            }
            String[] format = server.containsKey("controller.quorum.voters")
                    ? new String[] {"format", "-t", clusterId, "-c", properties}
                    : new String[] {"format", "--standalone", "-t", clusterId, "-c", properties};
            try {
                rc = (Integer) execute.invoke(null, format, System.out);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (rc != 0) {
                System.err.println("rlstream: formatting the KRaft storage failed (exit code " + rc + ")");
                System.exit(rc);
            }
        }
        Method main = Class.forName("kafka.Kafka").getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) new String[] {properties});
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
