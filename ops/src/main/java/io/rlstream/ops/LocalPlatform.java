package io.rlstream.ops;

import io.rlstream.schemas.RegistrySerdes;
import io.rlstream.schemas.TopicCatalog;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;

/**
 * The local default platform: a real single-node KRaft broker (or a cluster of several, each its
 * own process: {@link KafkaCluster}) and a real schema registry, all child processes on loopback,
 * and every topic of a {@link TopicCatalog} (replication factor min(3, brokers), min.insync.replicas
 * min(2, that)). Everything lives in a run folder:
 *
 * <pre>
 * RUN_DIR/kafka/            broker data, server.properties, broker.log  (wiped at every start)
 * RUN_DIR/kafka/node-N/     the same per node of a cluster (--brokers N > 1)
 * RUN_DIR/registry/         registry.log                                (in-memory storage)
 * RUN_DIR/client.properties bootstrap.servers and apicurio.registry.url for services started by hand
 * RUN_DIR/.lock             held while a platform runs in this folder
 * </pre>
 *
 * Every start is a fresh cluster, so a second start works after any previous run, also one that
 * was killed hard (its children exit by themselves when they notice their parent is gone, and the
 * lock dies with the process). Run it standalone with {@code java -cp ... io.rlstream.ops.LocalPlatform [RUN_DIR]}.
 */
public final class LocalPlatform implements AutoCloseable {

    private final Path runDir;
    private final TopicCatalog catalog;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final int brokers;
    private KafkaBrokerProcess broker;
    private KafkaCluster cluster;
    private SchemaRegistryProcess registry;
    private boolean closed;

    private LocalPlatform(Path runDir, TopicCatalog catalog, int brokers, FileChannel lockChannel, FileLock lock) {
        this.brokers = brokers;
        this.runDir = runDir;
        this.catalog = catalog;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Starts broker and registry in {@code runDir} with the default catalog, printing progress to stdout. */
    public static LocalPlatform start(Path runDir) {
        return start(runDir, TopicCatalog.defaults(), System.out);
    }

    /**
     * Starts a broker and a registry (in parallel) in {@code runDir}, creates the catalog's topics
     * and writes {@code client.properties}.
     *
     * @param progress where progress lines go ("starting Kafka broker... ready at 127.0.0.1:PORT (3.9 s)")
     * @throws IllegalStateException if the run folder is in use by another running platform, or a
     *                               process does not come up (the message points at its log)
     */
    public static LocalPlatform start(Path runDir, TopicCatalog catalog, PrintStream progress) {
        return start(runDir, catalog, 1, progress);
    }

    /**
     * As {@link #start(Path, TopicCatalog, PrintStream)} with {@code brokers} Kafka brokers: 1 is
     * the single broker; more is a {@link KafkaCluster} whose topics get replication factor
     * min(3, brokers) and min.insync.replicas min(2, that).
     */
    public static LocalPlatform start(Path runDir, TopicCatalog catalog, int brokers, PrintStream progress) {
        if (brokers < 1) {
            throw new IllegalArgumentException("the local platform needs at least 1 broker, got " + brokers);
        }
        Path dir = runDir.toAbsolutePath();
        FileChannel channel = null;
        FileLock lock;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new IllegalStateException("run folder " + dir + " is in use by another running local"
                        + " platform; stop it or use another folder");
            }
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot prepare run folder " + dir + ": " + e, e);
        }
        LocalPlatform platform = new LocalPlatform(dir, catalog, brokers, channel, lock);
        try {
            platform.boot(progress);
            return platform;
        } catch (RuntimeException | Error e) {
            platform.close();
            throw e;
        }
    }

    private void boot(PrintStream out) {
        Path registryHome = SchemaRegistryProcess.locateHome(); // fail fast, before starting anything
        try {
            ChildProcesses.deleteRecursively(runDir.resolve("registry"));
            Files.deleteIfExists(runDir.resolve("client.properties"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean run folder " + runDir + ": " + e, e);
        }
        // Launch both, then wait: the registry's ~5 s start overlaps the broker's.
        if (brokers == 1) {
            broker = KafkaBrokerProcess.launch(runDir.resolve("kafka"), Map.of());
        } else {
            try {
                ChildProcesses.deleteRecursively(runDir.resolve("kafka"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot clean " + runDir.resolve("kafka") + ": " + e, e);
            }
            cluster = KafkaCluster.launch(runDir.resolve("kafka"), brokers, Map.of());
            broker = cluster.node(1);
        }
        registry = SchemaRegistryProcess.launch(runDir.resolve("registry"), registryHome);

        if (cluster == null) {
            out.print("starting Kafka broker... ");
            out.flush();
            broker.awaitReady(KafkaBrokerProcess.DEFAULT_START_TIMEOUT);
            out.println("ready at " + broker.bootstrapServers() + " (" + ChildProcesses.seconds(broker.startedNanos()) + ")");
        } else {
            out.print("starting " + brokers + " Kafka brokers... ");
            out.flush();
            cluster.awaitReady(KafkaBrokerProcess.DEFAULT_START_TIMEOUT);
            out.println("ready at " + cluster.bootstrapServers() + " (" + ChildProcesses.seconds(broker.startedNanos()) + ")");
        }

        out.print("starting schema registry... ");
        out.flush();
        registry.awaitReady(SchemaRegistryProcess.DEFAULT_START_TIMEOUT);
        out.println("ready at " + registry.url() + " (" + ChildProcesses.seconds(registry.startedNanos()) + ")");

        long t0 = System.nanoTime();
        short replication = TopicAdmin.defaultReplicationFactor(brokers);
        out.print("creating " + catalog.topics().size() + " topics (prefix '" + catalog.prefix() + "'"
                + (brokers > 1 ? ", replication factor " + replication + ", min.insync.replicas "
                        + TopicAdmin.defaultMinInsyncReplicas(replication) : "") + ")... ");
        out.flush();
        try (Admin admin = admin()) {
            TopicAdmin.createTopics(admin, catalog, replication);
        }
        out.println("done (" + ChildProcesses.seconds(t0) + ")");
        writeClientProperties();
        out.println("client settings in " + runDir.resolve("client.properties"));
    }

    private void writeClientProperties() {
        Properties p = new Properties();
        p.putAll(clientConfig());
        p.put(RegistrySerdes.REGISTRY_URL, registryUrl());
        p.put("topic.prefix", catalog.prefix());
        try (Writer w = Files.newBufferedWriter(runDir.resolve("client.properties"), StandardCharsets.UTF_8)) {
            p.store(w, "local rlstream platform; valid while it runs (ccompat API: " + ccompatUrl() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code bootstrap.servers}: {@code 127.0.0.1:PORT}, every node's (comma-separated) for a cluster. */
    public String bootstrapServers() {
        return cluster != null ? cluster.bootstrapServers() : broker.bootstrapServers();
    }

    /** Apicurio v2 API root (what {@link RegistrySerdes} takes). */
    public String registryUrl() {
        return registry.url();
    }

    /** Confluent-compatible API root of the registry. */
    public String ccompatUrl() {
        return registry.ccompatUrl();
    }

    /** Serdes writing the Confluent wire format through this platform's registry. */
    public RegistrySerdes serdes() {
        return new RegistrySerdes(registryUrl(), Map.of());
    }

    /** The common client settings ({@code bootstrap.servers}); add serdes, group ids etc. */
    public Map<String, Object> clientConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return c;
    }

    /** A new Admin client on this broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(clientConfig());
    }

    public TopicCatalog catalog() {
        return catalog;
    }

    public Path runDir() {
        return runDir;
    }

    /** The single broker; node 1 of a cluster. */
    public KafkaBrokerProcess broker() {
        return broker;
    }

    /** How many Kafka brokers this platform runs. */
    public int brokers() {
        return brokers;
    }

    /** The brokers as a cluster (kill and restart a node); empty with a single broker. */
    public java.util.Optional<KafkaCluster> cluster() {
        return java.util.Optional.ofNullable(cluster);
    }

    public SchemaRegistryProcess registry() {
        return registry;
    }

    /** Stops registry and broker and releases the run folder. The broker's data stays until the next start. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Thread stopRegistry = new Thread(() -> {
            if (registry != null) {
                registry.close();
            }
        }, "rlstream-stop-registry");
        stopRegistry.start();
        if (cluster != null) {
            cluster.close();
        } else if (broker != null) {
            broker.close();
        }
        try {
            stopRegistry.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            lock.release();
        } catch (IOException | RuntimeException ignored) {
            // released with the channel
        }
        closeQuietly(lockChannel);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // nothing to do
            }
        }
    }

    /**
     * On JVM shutdown (Ctrl-C), keep the broker and registry up until {@code released} opens (at
     * most {@code max}), so the application can first stop the services that use them cleanly.
     */
    public void stopAfter(CountDownLatch released, Duration max) {
        ChildProcesses.reapAfter(released, max);
    }

    /**
     * Runs the platform until this JVM is stopped (Ctrl-C). Arguments: the run folder (default
     * {@code runs/platform}), then optionally the number of brokers (default 1).
     */
    public static void main(String[] args) throws InterruptedException {
        Path runDir = Path.of(args.length > 0 ? args[0] : "runs/platform");
        int brokers = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        LocalPlatform platform = start(runDir, TopicCatalog.defaults(), brokers, System.out);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("stopping local platform...");
            platform.close();
            stopped.countDown();
        }, "rlstream-platform-stop"));
        System.out.println("local platform running: bootstrap.servers=" + platform.bootstrapServers()
                + " apicurio.registry.url=" + platform.registryUrl() + " (ccompat " + platform.ccompatUrl()
                + "); Ctrl-C stops it");
        stopped.await();
    }
}
