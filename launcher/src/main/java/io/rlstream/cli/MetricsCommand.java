package io.rlstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlstream.config.ServiceConfig;
import io.rlstream.events.Metric;
import io.rlstream.events.MetricRollup;
import io.rlstream.events.StepSummary;
import io.rlstream.monitoring.metrics.MetricCatalog;
import io.rlstream.monitoring.metrics.MetricName;
import io.rlstream.schemas.Topic;
import java.io.PrintStream;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * {@code rlstream metrics tail|steps|catalog}: the metrics streams in the terminal. {@code tail}
 * prints rl.metrics (the last records, then new ones with {@code --follow}); {@code steps} prints
 * rl.step-summary as one row per training step; {@code catalog} lists every metric name. Reads
 * without a consumer group, so watching changes nothing on the cluster.
 */
final class MetricsCommand {

    static final String HELP = """
            Usage: rlstream metrics tail|steps|catalog [flags]

              tail      print metrics from rl.metrics: the last --last records (default 20), then
                        exit, or keep printing new ones with --follow
                  --filter PATTERN   only these names: trainer.loss (exact), trainer (every trainer.*),
                                     *latency* (glob); comma-separated for several
                  --last N           how many of the newest matching records to show first (0 = none,
                                     all = from the beginning)
                  --follow           keep printing new metrics until Ctrl-C
                  --json             one JSON object per line instead of columns
              steps     print rl.step-summary, one row per training step (each the step's latest value)
                  --columns A,B,...  metric names to show (default: eval.accuracy, trainer.reward_mean,
                                     trainer.effective_ratio, trainer.staleness_mean, trainer.kl,
                                     trainer.loss, trainer.rollouts_per_second)
                  --last N           the newest N steps (default 20; all = every step)
                  --follow, --json   as for tail
              catalog   every metric name with its source, kind, unit and meaning

            Flags of tail and steps:
              --bootstrap-server HOST:PORT   Kafka (default 127.0.0.1:9092; the demo prints its own)
              --registry-url URL             schema registry (the demo prints its own)
              --config FILE, --set KEY=VALUE topic.prefix and other shared settings
            """;

    static final List<String> DEFAULT_COLUMNS = Stream.of(MetricCatalog.EVAL_ACCURACY, MetricCatalog.TRAINER_REWARD_MEAN,
            MetricCatalog.TRAINER_EFFECTIVE_RATIO, MetricCatalog.TRAINER_STALENESS_MEAN, MetricCatalog.TRAINER_KL,
            MetricCatalog.TRAINER_LOSS, MetricCatalog.TRAINER_ROLLOUTS_PER_SECOND).map(MetricName::name).toList();

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    private MetricsCommand() {
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) {
        if (argv.isEmpty() || argv.contains("--help") || argv.contains("-h")) {
            out.print(HELP);
            return argv.isEmpty() ? 2 : 0;
        }
        String action = argv.get(0);
        try {
            Args args = Args.parse(argv.subList(1, argv.size()), List.of("follow", "json"));
            switch (action) {
                case "catalog" -> {
                    args.rejectUnknown(List.of());
                    out.print(MetricCatalog.markdown());
                    return 0;
                }
                case "tail" -> args.rejectUnknown(List.of("filter", "last", "follow", "json", "config", "bootstrap-server",
                        "registry-url"));
                case "steps" -> args.rejectUnknown(List.of("columns", "last", "follow", "json", "config",
                        "bootstrap-server", "registry-url"));
                default -> throw new Args.UsageException("metrics has the subcommands tail, steps and catalog, not '"
                        + action + "'");
            }
            ServiceConfig config = new ServiceConfig(ServiceConfig.baseDef(), Rlstream.settings(args, ServiceConfig.baseDef()));
            int last = last(args.get("last", "20"));
            boolean follow = args.has("follow");
            boolean json = args.has("json");
            if (action.equals("tail")) {
                Predicate<String> filter = filter(args.get("filter", ""));
                Deserializer<Metric> decoder = config.serdes().serde(Metric.class).deserializer();
                Consumer<Metric> print = m -> out.println(json ? json(m) : line(m));
                Deque<Metric> newest = new ArrayDeque<>();
                read(config, Topic.METRICS, decoder, m -> filter.test(m.getName()), m -> {
                    newest.addLast(m);
                    if (newest.size() > last) {
                        newest.removeFirst();
                    }
                }, () -> newest.forEach(print), follow, print);
            } else {
                List<String> columns = args.has("columns") ? List.of(args.get("columns", "").split(","))
                        : DEFAULT_COLUMNS;
                Deserializer<StepSummary> decoder = config.serdes().serde(StepSummary.class).deserializer();
                StepTable table = new StepTable(columns, out, json);
                table.header();
                // a compacted topic may still hold older versions of a step: the newest wins
                TreeMap<Long, StepSummary> steps = new TreeMap<>();
                read(config, Topic.STEP_SUMMARY, decoder, s -> true, s -> steps.put(s.getStep(), s), () -> {
                    List<StepSummary> rows = new ArrayList<>(steps.values());
                    rows.subList(Math.max(0, rows.size() - last), rows.size()).forEach(table::row);
                }, follow, table::row);
            }
            return 0;
        } catch (Args.UsageException e) {
            err.println("rlstream metrics: " + e.getMessage());
            err.println("Run 'rlstream metrics --help' for usage.");
            return 2;
        } catch (ConfigException e) {
            err.println("rlstream metrics: invalid configuration: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            err.println("rlstream metrics " + action + " failed: " + e);
            return 1;
        }
    }

    static int last(String value) {
        if (value.equals("all")) {
            return Integer.MAX_VALUE;
        }
        try {
            int n = Integer.parseInt(value);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new Args.UsageException("--last expects a count >= 0 or 'all', got '" + value + "'");
        }
    }

    /**
     * The names a --filter lets through: each comma-separated pattern is a glob when it has a
     * {@code *}, else a name that matches itself and everything under it (trainer → trainer.*).
     */
    static Predicate<String> filter(String patterns) {
        List<Predicate<String>> any = new ArrayList<>();
        for (String p : patterns.split(",")) {
            String pattern = p.strip();
            if (pattern.isEmpty()) {
                continue;
            }
            if (pattern.contains("*")) {
                Pattern glob = Pattern.compile(("\\Q" + pattern + "\\E").replace("*", "\\E.*\\Q"));
                any.add(name -> glob.matcher(name).matches());
            } else {
                any.add(name -> name.equals(pattern) || name.startsWith(pattern + "."));
            }
        }
        return any.isEmpty() ? name -> true : name -> any.stream().anyMatch(f -> f.test(name));
    }

    static String line(Metric m) {
        StringBuilder s = new StringBuilder(String.format("%s  %-14s %-36s %14s", TIME.format(m.getTime()), m.getSource(),
                m.getName(), number(m.getValue())));
        if (m.getStep() >= 0) {
            s.append("  step ").append(m.getStep());
        }
        if (m.getPolicyVersion() >= 0) {
            s.append("  v").append(m.getPolicyVersion());
        }
        if (!m.getTags().isEmpty()) {
            s.append("  ").append(new TreeMap<>(m.getTags()));
        }
        return s.toString();
    }

    static String json(Metric m) {
        ObjectNode node = JSON.createObjectNode();
        node.put("time", m.getTime().toString());
        node.put("source", m.getSource());
        node.put("name", m.getName());
        node.put("value", m.getValue());
        node.put("step", m.getStep());
        node.put("policy_version", m.getPolicyVersion());
        ObjectNode tags = node.putObject("tags");
        new TreeMap<>(m.getTags()).forEach(tags::put);
        return node.toString();
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e12) {
            return Long.toString((long) v);
        }
        return Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3 ? String.format("%.4g", v) : String.format("%.4f", v);
    }

    /** Rows of rl.step-summary: the step, its policy version, then each column's latest value. */
    static final class StepTable {
        private final List<String> columns;
        private final PrintStream out;
        private final boolean json;

        StepTable(List<String> columns, PrintStream out, boolean json) {
            this.columns = columns;
            this.out = out;
            this.json = json;
        }

        void header() {
            if (json) {
                return;
            }
            StringBuilder s = new StringBuilder(String.format("%6s %7s", "step", "version"));
            columns.forEach(c -> s.append(String.format(" %14s", shorten(c))));
            out.println(s);
        }

        void row(StepSummary summary) {
            Map<String, Double> values = new LinkedHashMap<>();
            for (String c : columns) {
                MetricRollup r = summary.getMetrics().get(c);
                values.put(c, r == null ? Double.NaN : r.getLast());
            }
            if (json) {
                ObjectNode node = JSON.createObjectNode();
                node.put("step", summary.getStep());
                node.put("policy_version", summary.getPolicyVersion());
                values.forEach(node::put);
                out.println(node);
                return;
            }
            StringBuilder s = new StringBuilder(String.format("%6d %7s", summary.getStep(),
                    summary.getPolicyVersion() < 0 ? "-" : "v" + summary.getPolicyVersion()));
            values.values().forEach(v -> s.append(String.format(" %14s", Double.isNaN(v) ? "-" : number(v))));
            out.println(s);
        }

        /** trainer.reward_mean → reward_mean, so the header stays narrow. */
        static String shorten(String column) {
            String name = column.contains(".") ? column.substring(column.indexOf('.') + 1) : column;
            return name.length() > 14 ? name.substring(0, 14) : name;
        }
    }

    /**
     * Reads a topic from the beginning without a consumer group: hands each kept value up to the
     * end offsets to {@code existing}, calls {@code caughtUp}, then (with follow) hands each new
     * one to {@code fresh} until Ctrl-C. On the compacted rl.step-summary a step updated while
     * followed shows again.
     */
    static <T> void read(ServiceConfig config, Topic topic, Deserializer<T> decoder, Predicate<T> keep,
            Consumer<T> existing, Runnable caughtUpAction, boolean follow, Consumer<T> fresh) {
        Map<String, Object> props = new HashMap<>(config.clientProps());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "rlstream-metrics-" + topic.topicName(""));
        String name = config.catalog().name(topic);
        AtomicBoolean stopping = new AtomicBoolean();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(name, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(name, p.partition())).toList();
            if (partitions.isEmpty()) {
                throw new IllegalStateException("topic " + name + " does not exist on " + config.getString(
                        ServiceConfig.BOOTSTRAP_SERVERS) + " (is the pipeline running, with this topic.prefix?)");
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            boolean caughtUp = false;
            Thread main = Thread.currentThread();
            Thread hook = new Thread(() -> {
                stopping.set(true);
                consumer.wakeup();
                try {
                    main.join(5_000);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            });
            if (follow) {
                Runtime.getRuntime().addShutdownHook(hook);
            }
            try {
                while (!stopping.get()) {
                    if (!caughtUp && partitions.stream().allMatch(p -> consumer.position(p) >= ends.get(p))) {
                        caughtUp = true;
                        caughtUpAction.run();
                        if (!follow) {
                            return;
                        }
                    }
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        T value;
                        try {
                            value = r.value() == null ? null : decoder.deserialize(r.topic(), r.headers(), r.value());
                        } catch (RuntimeException e) {
                            // Not ours to dead-letter (we only watch): say so and go on.
                            System.err.printf("skipping undecodable record %s-%d@%d: %s%n", r.topic(), r.partition(),
                                    r.offset(), e.getMessage());
                            continue;
                        }
                        if (value == null || !keep.test(value)) {
                            continue;
                        }
                        if (caughtUp) {
                            fresh.accept(value);
                        } else {
                            existing.accept(value);
                        }
                    }
                }
            } catch (WakeupException stopped) {
                // Ctrl-C while following
            } finally {
                if (follow && !stopping.get()) {
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException shuttingDown) {
                        // the JVM is already running its hooks
                    }
                }
            }
        }
    }
}
