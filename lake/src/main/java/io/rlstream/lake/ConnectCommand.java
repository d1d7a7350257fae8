package io.rlstream.lake;

import io.rlstream.config.CommandExecution;
import io.rlstream.config.HelpOption;
import io.rlstream.config.KafkaClientKeys;
import io.rlstream.config.ServiceConfig;
import io.rlstream.config.ServiceOptions;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigDef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.kafka.connect.util.FutureCallback;

/**
 * {@code rlstream connect}: a Kafka Connect standalone worker in this JVM (as
 * {@link ConnectStandalone} runs one) with two sinks over the same topics: Iceberg tables
 * (org.apache.iceberg.connect.IcebergSinkConnector, one table per topic) and JSONL files
 * ({@link JsonLinesSinkConnector}). Configurations: {@link LakeConnectors}.
 *
 * <p>With {@code --until-caught-up} it stops once both sinks hold every record the topics had
 * when it started (see {@link TopicEnds}): the JSONL sink when its committed offsets reach the
 * ends, the Iceberg sink when its tables hold rows up to those offsets ({@code _kafka_offset}).
 */
@Command(name = "connect", description = ConnectCommand.DESCRIPTION, footer = ConnectCommand.FOOTER, sortOptions = false)
public final class ConnectCommand implements Callable<Integer> {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    public static final List<String> DEFAULT_TOPICS = List.of("rl.rollouts", "rl.rewards", "rl.training-batches", "rl.metrics");

    /** What the command does, above its flags in {@code --help}. */
    static final String DESCRIPTION = """
            Sink topics into a data lake with an embedded Kafka Connect standalone worker:
            Apache Iceberg tables (one per topic: rl.rollouts -> table rl.rollouts under
            DIR/iceberg, Hadoop catalog) and JSONL files (DIR/jsonl/<topic>.jsonl). Every row
            carries _kafka_topic, _kafka_partition, _kafka_offset and _kafka_timestamp.
            """;

    static final String FOOTER = """

            Settings (--config FILE, RLSTREAM_<KEY> variables, --set; later wins): bootstrap.servers,
            registry.url, topic.prefix (the default topics' prefix); Kafka client keys (security.protocol,
            sasl.*, ssl.*, ..., or kafka.KEY) go to every client of the worker, its sinks and this command;
            iceberg.* go to the Iceberg sink (e.g. iceberg.catalog.type=rest iceberg.catalog.uri=http://...
            iceberg.catalog.io-impl=org.apache.iceberg.aws.s3.S3FileIO), jsonl.* to the JSONL sink,
            worker.KEY to the worker, any other key to both sinks.

            Without --until-caught-up it runs until Ctrl-C. Read the tables back with
            rlstream lake tables|count|head (rlstream lake --help).
            Exit codes: 0 caught up or stopped; 1 a sink failed or not caught up in time; 2 wrong usage.
            """;


    @Mixin
    ServiceOptions cluster = new ServiceOptions();

    @Option(names = "--lake", paramLabel = "DIR", description = "Lake folder (default lake/): DIR/iceberg, DIR/jsonl, DIR/connect.offsets.")
    Path lake = Path.of("lake");

    @Option(names = "--topics", paramLabel = "T1,T2", split = ",",
            description = "Topics to sink (default <topic.prefix>rollouts,rewards,training-batches,metrics; topic.prefix rl.).")
    List<String> topics;

    @Option(names = "--no-iceberg", description = "Do not run the Iceberg sink.")
    boolean noIceberg;

    @Option(names = "--no-jsonl", description = "Do not run the JSONL sink.")
    boolean noJsonl;

    @Option(names = "--until-caught-up", description = "Stop once the sinks hold every record the topics have now.")
    boolean untilCaughtUp;

    @Option(names = "--max-wait", paramLabel = "SECONDS", description = "With --until-caught-up: give up after this long (default 600).")
    long maxWait = 600;

    @Option(names = "--progress", paramLabel = "SECONDS", description = "How often to print records sunk per topic (default 5).")
    long progress = 5;

    @Mixin
    HelpOption help;

    @Spec
    CommandSpec spec;

    /** A command object for picocli (a subcommand of {@code rlstream}). */
    public ConnectCommand() {
    }

    @Override
    public Integer call() throws Exception {
        LakeConnectors lake = CommandExecution.usage(spec, () -> lakeConnectors(System.getenv()));
        try {
            return run(lake, !noIceberg, !noJsonl, untilCaughtUp, Duration.ofSeconds(maxWait),
                    Duration.ofSeconds(Math.max(1, progress)), CommandExecution.out(spec));
        } catch (Exception e) {
            spec.commandLine().getErr().println("rlstream connect failed: " + e);
            return FAILED;
        }
    }

    /**
     * The worker and sinks these options ask for: the settings file, the environment and the
     * flags merged ({@link ServiceOptions#settings}), then split by key (see {@link #FOOTER}).
     *
     * @throws IllegalArgumentException for a usage error
     */
    LakeConnectors lakeConnectors(Map<String, String> env) {
        if (noIceberg && noJsonl) {
            throw new IllegalArgumentException("--no-iceberg and --no-jsonl leave nothing to run");
        }
        cluster.set.forEach((k, v) -> {
            if (k.isEmpty() || v.isEmpty()) {
                throw new IllegalArgumentException("--set takes KEY=VALUE, got '" + k + "'");
            }
        });
        ConfigDef definition = ServiceConfig.baseDef();
        Map<String, String> settings = cluster.settings(definition, env);
        String prefix = settings.getOrDefault(ServiceConfig.TOPIC_PREFIX, "rl.");
        List<String> chosen = topics != null ? topics
                : DEFAULT_TOPICS.stream().map(t -> prefix + t.substring("rl.".length())).toList();
        List<String> sunk = chosen.stream().map(String::trim).filter(t -> !t.isEmpty()).toList();
        Map<String, String> client = KafkaClientKeys.of(settings);
        Map<String, String> connectors = new LinkedHashMap<>();
        settings.forEach((k, v) -> {
            if (!KafkaClientKeys.isClientKey(k) && !definition.names().contains(k)) {
                connectors.put(k, v);
            }
        });
        return new LakeConnectors(settings.getOrDefault(ServiceConfig.BOOTSTRAP_SERVERS, "127.0.0.1:9092"),
                settings.getOrDefault(ServiceConfig.REGISTRY_URL, "http://127.0.0.1:8081/apis/registry/v2"),
                lake.toAbsolutePath(), sunk, Map.copyOf(connectors), Map.copyOf(client));
    }

    /** {@code rlstream connect [flags]}: see {@code --help}. */
    public static int run(List<String> argv, PrintStream out, PrintStream err) {
        return CommandExecution.execute(new ConnectCommand(), "rlstream connect", argv, out, err);
    }

    /**
     * Runs the worker with the chosen sinks. Returns {@link #OK} once caught up (or on Ctrl-C),
     * {@link #FAILED} if a sink task failed or {@code maxWait} passed first.
     */
    public static int run(LakeConnectors lake, boolean iceberg, boolean jsonl, boolean untilCaughtUp, Duration maxWait,
            Duration progressEvery, PrintStream out) throws Exception {
        Files.createDirectories(lake.lakeDir());
        Map<String, Object> client = lake.clientProps();
        createTopicIfMissing(client, LakeConnectors.DEAD_LETTER_TOPIC);
        if (iceberg) {
            createTopicIfMissing(client, lake.iceberg().get("iceberg.control.topic"));
        }
        Map<TopicPartition, Long> targets = untilCaughtUp ? TopicEnds.lastRecordEnds(client, lake.topics()) : Map.of();
        if (untilCaughtUp) {
            out.println("rlstream connect: sinking " + describeTargets(targets) + " into " + lake.lakeDir());
        } else {
            out.println("rlstream connect: sinking " + String.join(", ", lake.topics()) + " into " + lake.lakeDir()
                    + " (Ctrl-C stops)");
        }
        List<String> connectors = new ArrayList<>();
        Connect<StandaloneHerder> connect = new ConnectStandalone().startConnect(lake.worker());
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(stop::countDown, "rlstream-connect-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try (Admin admin = Admin.create(client); LakeTables tables = iceberg ? new LakeTables(lake.warehouse()) : null) {
            if (iceberg) {
                start(connect, lake.iceberg());
                connectors.add(LakeConnectors.ICEBERG);
            }
            if (jsonl) {
                start(connect, lake.jsonl());
                connectors.add(LakeConnectors.JSONL);
            }
            long deadline = System.nanoTime() + maxWait.toNanos();
            long nextProgress = System.nanoTime() + progressEvery.toNanos();
            while (true) {
                String failure = failure(connect.herder(), connectors);
                if (failure != null) {
                    out.println("rlstream connect: a sink failed: " + failure);
                    return FAILED;
                }
                if (System.nanoTime() >= nextProgress) {
                    out.println("rlstream connect: " + progress(lake, iceberg, jsonl, tables));
                    nextProgress = System.nanoTime() + progressEvery.toNanos();
                }
                if (untilCaughtUp) {
                    boolean done = (!jsonl || committedUpTo(admin, LakeConnectors.JSONL, targets))
                            && (!iceberg || committedUpTo(admin, LakeConnectors.ICEBERG, targets)
                                    && tablesUpTo(tables, targets));
                    if (done) {
                        out.println("rlstream connect: caught up: " + progress(lake, iceberg, jsonl, tables));
                        return OK;
                    }
                    if (System.nanoTime() >= deadline) {
                        out.println("rlstream connect: not caught up after " + maxWait.toSeconds() + " s: "
                                + progress(lake, iceberg, jsonl, tables));
                        return FAILED;
                    }
                }
                if (stop.await(1, TimeUnit.SECONDS)) {
                    out.println("rlstream connect: stopping: " + progress(lake, iceberg, jsonl, tables));
                    return OK;
                }
            }
        } finally {
            connect.stop();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the JVM is already running its hooks
            }
        }
    }

    private static void start(Connect<StandaloneHerder> connect, Map<String, String> config) throws Exception {
        FutureCallback<org.apache.kafka.connect.runtime.Herder.Created<org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo>> cb =
                new FutureCallback<>();
        connect.herder().putConnectorConfig(config.get("name"), config, true, cb);
        cb.get(60, TimeUnit.SECONDS);
    }

    /** The first failed connector or task with its trace, or null. */
    private static String failure(StandaloneHerder herder, List<String> connectors) {
        for (String name : connectors) {
            ConnectorStateInfo s;
            try {
                s = herder.connectorStatus(name);
            } catch (RuntimeException notYet) {
                continue;
            }
            if ("FAILED".equals(s.connector().state())) {
                return name + ": " + s.connector().trace();
            }
            for (ConnectorStateInfo.TaskState t : s.tasks()) {
                if ("FAILED".equals(t.state())) {
                    return name + " task " + t.id() + ": " + t.trace();
                }
            }
        }
        return null;
    }

    private static boolean committedUpTo(Admin admin, String connector, Map<TopicPartition, Long> targets) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(LakeConnectors.group(connector))
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        for (Map.Entry<TopicPartition, Long> t : targets.entrySet()) {
            OffsetAndMetadata c = committed.get(t.getKey());
            if (t.getValue() > 0 && (c == null || c.offset() < t.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** True when every topic's table holds rows up to the target offset of each partition. */
    private static boolean tablesUpTo(LakeTables tables, Map<TopicPartition, Long> targets) {
        Map<String, Map<Integer, Long>> byTopic = new HashMap<>();
        targets.forEach((tp, end) -> {
            if (end > 0) {
                byTopic.computeIfAbsent(tp.topic(), t -> new HashMap<>()).put(tp.partition(), end);
            }
        });
        for (Map.Entry<String, Map<Integer, Long>> topic : byTopic.entrySet()) {
            if (!tables.exists(topic.getKey())) {
                return false;
            }
            Map<Integer, Long> have = tables.offsetEnds(topic.getKey());
            for (Map.Entry<Integer, Long> p : topic.getValue().entrySet()) {
                if (have.getOrDefault(p.getKey(), 0L) < p.getValue()) {
                    return false;
                }
            }
        }
        return true;
    }

    private static String progress(LakeConnectors lake, boolean iceberg, boolean jsonl, LakeTables tables) {
        List<String> parts = new ArrayList<>();
        for (String topic : lake.topics()) {
            StringBuilder s = new StringBuilder(topic);
            if (jsonl) {
                s.append(" jsonl ").append(JsonLinesSinkTask.written(topic));
            }
            if (iceberg) {
                s.append(" iceberg ").append(tables.exists(topic) ? tables.count(topic) : 0);
            }
            parts.add(s.toString());
        }
        return String.join(" | ", parts);
    }

    private static String describeTargets(Map<TopicPartition, Long> targets) {
        Map<String, Long> perTopic = new java.util.TreeMap<>();
        targets.forEach((tp, end) -> perTopic.merge(tp.topic(), (long) 0, Long::sum));
        List<String> parts = new ArrayList<>();
        perTopic.keySet().forEach(topic -> {
            List<String> ps = new ArrayList<>();
            targets.entrySet().stream().filter(e -> e.getKey().topic().equals(topic))
                    .sorted(Map.Entry.comparingByKey(java.util.Comparator.comparingInt(TopicPartition::partition)))
                    .forEach(e -> ps.add(e.getKey().partition() + ":" + e.getValue()));
            parts.add(topic + " up to offsets [" + String.join(" ", ps) + "]");
        });
        return String.join(", ", parts);
    }

    private static void createTopicIfMissing(Map<String, Object> client, String topic) throws Exception {
        try (Admin admin = Admin.create(client)) {
            // The broker's default partition count and replication factor: right for any cluster size.
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty()))).all().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }
}
