package io.rlstream.ops;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;

/**
 * A real Kafka broker in KRaft combined mode (broker + controller in one process), run as a child
 * JVM on this JVM's own classpath ({@code kafka_2.13} is an ops dependency) and bound to 127.0.0.1
 * on free ports: a single-node cluster ({@link #start}), or one node of a {@link KafkaCluster}
 * (fixed ports and node id, a static controller quorum of all nodes, and {@link #restart()} with
 * the same storage after a {@link #kill()}). The data folder holds {@code server.properties}, the
 * log4j2 config, the KRaft storage ({@code data/}) and the process output ({@code broker.log}).
 *
 * <p>Single node: replication factors are 1, {@code transaction.state.log.min.isr=1};
 * {@link #replicationSettings(int)} gives a cluster's;
 * {@code group.initial.rebalance.delay.ms=0}, {@code message.max.bytes} is 17 MiB (the catalog's
 * 16 MiB topics plus headroom) and topics are not auto-created (the topic catalog creates them).
 * The broker logs at WARN to {@link #logFile()}. {@link #close()} stops it (SIGTERM, then SIGKILL
 * after 15 s); the data folder stays until the next start.
 */
public final class KafkaBrokerProcess extends ServiceProcess {

    /** Largest record batch the broker accepts: 16 MiB topics (see the topic catalog) + 1 MiB. */
    public static final int MESSAGE_MAX_BYTES = 17 * 1024 * 1024;

    /** Default time to wait for the broker to answer. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(90);

    /**
     * JVM options of the broker process; the system property {@value #JVM_OPTIONS_PROPERTY}
     * (space-separated) replaces them. C1-only JIT starts ~30% faster on small machines. The serial
     * collector: one local broker's live heap is small, and G1's concurrent marking and remembered-
     * set rebuilding were 10-14% of its CPU under {@code bench processors}; with the serial
     * collector the broker used about half the CPU per rollout, and steadily (0.10-0.13 against
     * 0.11-0.25 CPU-seconds per 1,000 rollouts, docs/benchmarks.md).
     */
    public static final String DEFAULT_JVM_OPTIONS = "-Xms256m -Xmx1g -XX:TieredStopAtLevel=1 -XX:+UseSerialGC";
    public static final String JVM_OPTIONS_PROPERTY = "rlstream.broker.jvmOptions";

    private static final Duration STOP_GRACE = Duration.ofSeconds(15);

    private final Path dataDir;
    private final Map<String, String> overrides;
    private final String clusterId;
    /** Node of a cluster: its id, and the static quorum ("1@127.0.0.1:PORT,2@..."); null when single. */
    private final int nodeId;
    private final String voters;
    private int brokerPort;
    private int controllerPort;

    private KafkaBrokerProcess(Path dataDir, Map<String, String> overrides) {
        super("the Kafka broker", dataDir.toAbsolutePath(), dataDir.toAbsolutePath().resolve("broker.log"), STOP_GRACE);
        this.dataDir = dataDir.toAbsolutePath();
        this.overrides = Map.copyOf(overrides);
        this.clusterId = Uuid.randomUuid().toString();
        this.nodeId = 1;
        this.voters = null;
    }

    private KafkaBrokerProcess(Path dataDir, Map<String, String> overrides, String clusterId, int nodeId,
            String voters, int brokerPort, int controllerPort) {
        super("Kafka broker " + nodeId, dataDir.toAbsolutePath(), dataDir.toAbsolutePath().resolve("broker.log"),
                STOP_GRACE);
        this.dataDir = dataDir.toAbsolutePath();
        this.overrides = Map.copyOf(overrides);
        this.clusterId = clusterId;
        this.nodeId = nodeId;
        this.voters = voters;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
    }

    /**
     * Broker settings of a cluster of {@code brokers} nodes: every replication factor
     * {@code min(3, brokers)} (default, offsets, transaction state, share state) and every
     * min.insync.replicas {@code min(2, that)}; so one node of three may be down and every write
     * with acks=all still succeeds with two copies. One node: all 1, as before.
     */
    public static Map<String, String> replicationSettings(int brokers) {
        if (brokers < 1) {
            throw new IllegalArgumentException("a cluster needs at least 1 broker, got " + brokers);
        }
        String rf = Integer.toString(Math.min(3, brokers));
        String isr = Integer.toString(Math.min(2, Math.min(3, brokers)));
        Map<String, String> p = new LinkedHashMap<>();
        p.put("default.replication.factor", rf);
        p.put("min.insync.replicas", isr);
        p.put("offsets.topic.replication.factor", rf);
        p.put("transaction.state.log.replication.factor", rf);
        p.put("transaction.state.log.min.isr", isr);
        p.put("share.coordinator.state.topic.replication.factor", rf);
        p.put("share.coordinator.state.topic.min.isr", isr);
        return p;
    }

    /**
     * Launches one node of a cluster without waiting; its data folder is wiped first. Ports and
     * node id stay the node's for {@link #restart()}.
     */
    static KafkaBrokerProcess launchNode(Path dataDir, Map<String, String> overrides, String clusterId, int nodeId,
            String voters, int brokerPort, int controllerPort) {
        KafkaBrokerProcess node = new KafkaBrokerProcess(dataDir, overrides, clusterId, nodeId, voters, brokerPort,
                controllerPort);
        node.launch(() -> {
            ChildProcesses.deleteRecursively(node.dataDir);
            Files.createDirectories(node.dataDir);
        });
        return node;
    }

    /**
     * Starts a killed or stopped cluster node again: same node id, ports and storage (it catches
     * up from the other replicas), without waiting; see {@link #awaitReady(Duration)}.
     */
    public void restart() {
        if (voters == null) {
            throw new IllegalStateException("only a node of a KafkaCluster can be restarted with its data;"
                    + " a single broker starts fresh");
        }
        relaunch();
    }


    /** Starts a broker with the default settings and waits until it answers. */
    public static KafkaBrokerProcess start(Path dataDir) {
        return start(dataDir, Map.of(), DEFAULT_START_TIMEOUT);
    }

    /**
     * Starts a broker and waits until an Admin client's describeCluster succeeds.
     *
     * @param dataDir   folder of this broker; wiped first, so every start is a fresh cluster
     * @param overrides broker settings applied over the defaults (listeners and ports are ours)
     * @param timeout   how long to wait for the broker
     * @throws IllegalStateException with the log file and its tail if it does not come up
     */
    public static KafkaBrokerProcess start(Path dataDir, Map<String, String> overrides, Duration timeout) {
        KafkaBrokerProcess broker = launch(dataDir, overrides);
        broker.awaitReadyOrStop(timeout);
        return broker;
    }

    /** Launches without waiting (LocalPlatform starts the registry meanwhile). */
    static KafkaBrokerProcess launch(Path dataDir, Map<String, String> overrides) {
        KafkaBrokerProcess broker = new KafkaBrokerProcess(dataDir, overrides);
        broker.launch(() -> {
            ChildProcesses.deleteRecursively(broker.dataDir);
            Files.createDirectories(broker.dataDir);
        });
        return broker;
    }

    /** The command line of one attempt: fresh ports, a fresh storage folder, its config files. */
    @Override
    List<String> command() throws IOException {
        Path storage = dataDir.resolve("data");
        if (voters == null) {
            // A single broker: fresh ports and a fresh storage at every attempt.
            brokerPort = ChildProcesses.freePort();
            controllerPort = ChildProcesses.freePort();
            while (controllerPort == brokerPort) {
                controllerPort = ChildProcesses.freePort();
            }
            ChildProcesses.deleteRecursively(storage);
        }
        // A cluster node keeps its ports (they are in every node's quorum) and its storage.
        Path serverProperties = dataDir.resolve("server.properties");
        writeProperties(serverProperties, serverProperties(storage));
        Path log4j = dataDir.resolve("log4j2.properties");
        Files.writeString(log4j, LOG4J2, StandardCharsets.UTF_8);

        List<String> command = ChildProcesses.javaCommand(JVM_OPTIONS_PROPERTY, DEFAULT_JVM_OPTIONS);
        command.add("-Dlog4j2.configurationFile=" + log4j.toUri());
        // WARN and above on stdout, as before (logback.xml or logback-test.xml reads these).
        command.add("-Drlstream.log.level=WARN");
        command.add("-Drlstream.log.target=System.out");
        command.addAll(ChildProcesses.watchdogOptions());
        command.add("-cp");
        command.add(ChildProcesses.ownClasspath());
        command.add(KafkaBrokerMain.class.getName());
        command.add(serverProperties.toString());
        command.add(clusterId);
        command.add(storage.toString());
        return command;
    }

    private Map<String, String> serverProperties(Path storage) {
        String broker = ChildProcesses.LOOPBACK + ":" + brokerPort;
        String controller = ChildProcesses.LOOPBACK + ":" + controllerPort;
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(nodeId));
        if (voters == null) {
            p.put("controller.quorum.bootstrap.servers", controller);
        } else {
            p.put("controller.quorum.voters", voters);
            // A killed node is fenced (its partitions led elsewhere) after 6 s rather than 9 s.
            p.put("broker.heartbeat.interval.ms", "1000");
            p.put("broker.session.timeout.ms", "6000");
        }
        p.put("listeners", "PLAINTEXT://" + broker + ",CONTROLLER://" + controller);
        p.put("advertised.listeners", "PLAINTEXT://" + broker);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        p.put("log.dirs", storage.toString());
        p.put("num.partitions", "1");
        p.putAll(replicationSettings(1));
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.put("message.max.bytes", Integer.toString(MESSAGE_MAX_BYTES));
        p.put("replica.fetch.max.bytes", Integer.toString(MESSAGE_MAX_BYTES));
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.putAll(overrides);
        return p;
    }

    private static void writeProperties(Path file, Map<String, String> values) throws IOException {
        Properties props = new Properties();
        props.putAll(values);
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            props.store(w, "written by rlstream ops KafkaBrokerProcess");
        }
    }

    /** The broker answers describeCluster. */
    @Override
    boolean answers() {
        return ChildProcesses.accepts(brokerPort) && describeClusterOnce();
    }

    @Override
    String address() {
        return bootstrapServers();
    }

    private boolean describeClusterOnce() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "rlstream-ops-readiness");
        try (Admin admin = Admin.create(config)) {
            return !admin.describeCluster(new DescribeClusterOptions().timeoutMs(5000))
                    .nodes().get(6, TimeUnit.SECONDS).isEmpty();
        } catch (ExecutionException | TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            throw interrupted(e);
        }
    }

    /** {@code 127.0.0.1:PORT}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return ChildProcesses.LOOPBACK + ":" + brokerPort;
    }

    /** The broker's port on 127.0.0.1. */
    public int port() {
        return brokerPort;
    }

    /** The KRaft controller port of this node. */
    public int controllerPort() {
        return controllerPort;
    }

    public int nodeId() {
        return nodeId;
    }

    public String clusterId() {
        return clusterId;
    }

    public Path dataDir() {
        return dataDir;
    }

    private static final String LOG4J2 = String.join("\n",
            "# written by rlstream ops: the broker logs WARN and above to stdout (broker.log)",
            "status = warn",
            "appender.stdout.type = Console",
            "appender.stdout.name = STDOUT",
            "appender.stdout.layout.type = PatternLayout",
            "appender.stdout.layout.pattern = [%d] %p %m (%c)%n",
            "rootLogger.level = warn",
            "rootLogger.appenderRef.stdout.ref = STDOUT",
            "");
}
