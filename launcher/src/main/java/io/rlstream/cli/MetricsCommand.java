package io.rlstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlstream.config.ServiceConfig;
import io.rlstream.config.ServiceOptions;
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
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rlstream metrics tail|steps|catalog}: the metrics streams in the terminal. {@code tail}
 * prints rl.metrics (the last records, then new ones with {@code --follow}); {@code steps} prints
 * rl.step-summary as one row per training step; {@code catalog} lists every metric name. Reads
 * without a consumer group, so watching changes nothing on the cluster.
 */
@Command(name = "metrics", description = {"The metrics streams in the terminal: tail prints rl.metrics, steps prints"
        + " rl.step-summary as one row per training step, catalog lists every metric name. rlstream metrics SUBCOMMAND"
        + " --help explains one."})
final class MetricsCommand implements Callable<Integer> {

    static final List<String> DEFAULT_COLUMNS = Stream.of(MetricCatalog.EVAL_ACCURACY, MetricCatalog.TRAINER_REWARD_MEAN,
            MetricCatalog.TRAINER_EFFECTIVE_RATIO, MetricCatalog.TRAINER_STALENESS_MEAN, MetricCatalog.TRAINER_KL,
            MetricCatalog.TRAINER_LOSS, MetricCatalog.TRAINER_ROLLOUTS_PER_SECOND).map(MetricName::name).toList();

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    HelpOption help;

    /** {@code rlstream metrics ARGS}. */
    static int run(List<String> argv, PrintStream out, PrintStream err) {
        List<String> args = new ArrayList<>(List.of("metrics"));
        args.addAll(argv);
        return Rlstream.run(args, out, err);
    }

    /** {@code rlstream metrics} alone: which subcommand? */
    @Override
    public Integer call() {
        throw new UsageException("missing subcommand: tail, steps or catalog");
    }

    /** The flags tail and steps share: the cluster, how many, follow, JSON. */
    abstract static class Reader implements Callable<Integer> {
        @Mixin
        HelpOption help;
        @Mixin
        ServiceOptions cluster;
        @Option(names = "--follow", description = "Keep printing new ones until Ctrl-C.")
        boolean follow;
        @Option(names = "--json", description = "One JSON object per line instead of columns.")
        boolean json;

        final Terminal terminal;

        Reader(Terminal terminal) {
            this.terminal = terminal;
        }

        ServiceConfig config() {
            return new ServiceConfig(ServiceConfig.baseDef(), cluster.settings(ServiceConfig.baseDef()));
        }
    }

    @Command(name = "tail", description = {"Print metrics from rl.metrics: the last --last records, then exit, or keep"
            + " printing new ones with --follow. Reads without a consumer group: watching changes nothing on the cluster."},
            footer = {"%n--bootstrap-server defaults to 127.0.0.1:9092; the demo prints its own addresses."})
    static final class Tail extends Reader {
        @Option(names = "--filter", paramLabel = "PATTERN", description = "Only these names: trainer.loss (exact), trainer"
                + " (every trainer.*), *latency* (glob); comma-separated for several.")
        String filter = "";
        @Option(names = "--last", paramLabel = "N", description = "How many of the newest matching records to show first"
                + " (default 20; 0 = none, all = from the beginning).")
        String last = "20";

        Tail(Terminal terminal) {
            super(terminal);
        }

        @Override
        public Integer call() {
            int count = last(last);
            ServiceConfig config = config();
            PrintStream out = terminal.out();
            Predicate<String> names = filter(filter);
            Deserializer<Metric> decoder = config.serdes().serde(Metric.class).deserializer();
            Consumer<Metric> print = m -> out.println(json ? json(m) : line(m));
            Deque<Metric> newest = new ArrayDeque<>();
            read(config, Topic.METRICS, decoder, m -> names.test(m.getName()), m -> {
                newest.addLast(m);
                if (newest.size() > count) {
                    newest.removeFirst();
                }
            }, () -> newest.forEach(print), follow, print);
            return 0;
        }
    }

    @Command(name = "steps", description = {"Print rl.step-summary, one row per training step (each the step's latest"
            + " value)."},
            footer = {"%n--bootstrap-server defaults to 127.0.0.1:9092; the demo prints its own addresses."})
    static final class Steps extends Reader {
        @Option(names = "--columns", paramLabel = "A,B,...", split = ",", description = "Metric names to show (default:"
                + " eval.accuracy, trainer.reward_mean, trainer.effective_ratio, trainer.staleness_mean, trainer.kl,"
                + " trainer.loss, trainer.rollouts_per_second).")
        List<String> columns = DEFAULT_COLUMNS;
        @Option(names = "--last", paramLabel = "N", description = "The newest N steps (default 20; all = every step).")
        String last = "20";

        Steps(Terminal terminal) {
            super(terminal);
        }

        @Override
        public Integer call() {
            int count = last(last);
            ServiceConfig config = config();
            Deserializer<StepSummary> decoder = config.serdes().serde(StepSummary.class).deserializer();
            StepTable table = new StepTable(columns, terminal.out(), json);
            table.header();
            // a compacted topic may still hold older versions of a step: the newest wins
            TreeMap<Long, StepSummary> steps = new TreeMap<>();
            read(config, Topic.STEP_SUMMARY, decoder, s -> true, s -> steps.put(s.getStep(), s), () -> {
                List<StepSummary> rows = new ArrayList<>(steps.values());
                rows.subList(Math.max(0, rows.size() - count), rows.size()).forEach(table::row);
            }, follow, table::row);
            return 0;
        }
    }

    @Command(name = "catalog", description = "Every metric name with its source, kind, unit and meaning (Markdown).")
    static final class Catalog implements Callable<Integer> {
        @Mixin
        HelpOption help;

        private final Terminal terminal;

        Catalog(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            terminal.out().print(MetricCatalog.markdown());
            return 0;
        }
    }

    /** {@code rlstream metrics} with its three subcommands. */
    static CommandLine commandLine(Terminal terminal) {
        return new CommandLine(new MetricsCommand())
                .addSubcommand(new Tail(terminal))
                .addSubcommand(new Steps(terminal))
                .addSubcommand(new Catalog(terminal));
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
            throw new UsageException("--last expects a count >= 0 or 'all', got '" + value + "'");
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
