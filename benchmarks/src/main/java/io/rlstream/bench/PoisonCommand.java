package io.rlstream.bench;

import io.rlstream.config.CommandExecution;
import io.rlstream.config.HelpOption;
import io.rlstream.config.KafkaClientKeys;
import io.rlstream.config.ServiceConfig;
import io.rlstream.config.ServiceOptions;
import io.rlstream.monitoring.health.Health;
import io.rlstream.ops.LocalPlatform;
import io.rlstream.ops.poison.BadRecords;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rlstream poison}: issue 19's bad-record corpus against a running loop, or against a local
 * one it starts (the local platform and every service in this JVM). Exit 0 only when every bad
 * record is handled, every service is healthy, the newest checkpoint is finite and the good
 * records sent after the bad ones were processed; 1 otherwise; 2 for a usage error.
 */
@Command(name = "poison", customSynopsis = "rlstream poison [flags]", description = PoisonCommand.DESCRIPTION,
        footer = {"", "Input topics (--topics; default all of them):", "  ${bundle:inputTopics}", PoisonCommand.FOOTER},
        sortOptions = false,
        resourceBundle = "io.rlstream.bench.PoisonCommand$HelpText")
public final class PoisonCommand implements Callable<Integer> {

    /** What the command does, above its flags in {@code --help}. */
    static final String DESCRIPTION = """
            Sends every kind of bad record (issue 19's corpus: undecodable bytes, unknown schema id,
            empty value, tombstone, another event type, and per topic the records a service must
            refuse: out-of-vocabulary token ids, NaN log-probs, rewards and advantages, a checkpoint
            of a missing folder, a forged high version, empty and oversize groups, blank ids, wrong
            lengths) to every input topic of the loop, then one good record per topic, and checks
            the answers: a dead letter with a reason on rl.dead-letters from every service that reads
            the record (matched by topic, partition and offset), every service healthy, the newest
            checkpoint's weights finite, the good records processed (their output seen, the
            consumer groups past them). Prints one line per record and exits 0 only if all pass.
            Run it against a test cluster: the good records train one step on a two-sample batch.

            Without a cluster (--bootstrap-server, or bootstrap.servers in --config) it starts a
            local broker and registry and the whole loop in this JVM (reward service, processors,
            dispatcher, trainer, one worker; the untrained demo policy) in a temporary folder, and
            checks them.
            """;

    /** Below the flags in {@code --help}. */
    static final String FOOTER = """

            Settings of a cluster (--config FILE, RLSTREAM_<KEY> variables, --set; later wins):
            bootstrap.servers, registry.url, topic.prefix, and Kafka client keys (security.protocol,
            sasl.*, ssl.*, ... or kafka.KEY) for every client of the check.
            Exit codes: 0 every check passed; 1 a check failed or the run failed; 2 wrong usage.
            """;

    @Mixin
    ServiceOptions cluster = new ServiceOptions();

    @Option(names = "--topic-prefix", paramLabel = "P", description = "Topic prefix (default rl.; setting topic.prefix).")
    String topicPrefix;

    @Option(names = "--health", paramLabel = "URL[,URL...]", description = "Each service's /health (e.g. http://host:9404);"
            + " checked after the answers; without it, health is not checked.")
    String health;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR", description = "The trainer's checkpoint folder: the newest must"
            + " load with finite weights; its folder is also announced under a forged high version.")
    Path checkpointDir;

    @Option(names = "--topics", paramLabel = "T[,T...]", completionCandidates = InputTopics.class,
            description = "Topic suffixes to poison (default: every input topic, listed below).")
    String topics;

    @Option(names = "--wait", paramLabel = "S", description = "Seconds to wait for the answers (default 60).")
    String waitSeconds;

    @Option(names = "--run-dir", paramLabel = "DIR", description = "Local mode: where the platform and services keep"
            + " their files (default: a temporary folder).")
    Path runDir;

    @Mixin
    HelpOption help;

    @Spec
    CommandSpec spec;

    /** The input topics' suffixes, for --topics in --help. */
    static final class InputTopics implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return BadRecords.INPUT_TOPICS.stream().map(Topic::suffix).iterator();
        }
    }

    /** The input topics for {@code --help} ({@code ${bundle:inputTopics}}): computed, so not an annotation constant. */
    public static final class HelpText extends java.util.ListResourceBundle {
        @Override
        protected Object[][] getContents() {
            return new Object[][] {{"inputTopics",
                String.join(",", BadRecords.INPUT_TOPICS.stream().map(Topic::suffix).toList())}};
        }
    }

    /** A command object for picocli (a subcommand of {@code rlstream}). */
    public PoisonCommand() {
    }

    /** {@code rlstream poison [flags]}: see {@code --help}. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        return CommandExecution.execute(new PoisonCommand(), "rlstream poison", args, out, err);
    }

    /** Where to run: a cluster's settings, or null for the local loop. */
    record Cluster(String bootstrap, String registryUrl, String topicPrefix, Map<String, Object> client) {
    }

    /**
     * The cluster the flags and settings name, or null for the local loop.
     *
     * @throws IllegalArgumentException for a usage error
     */
    Cluster cluster(Map<String, String> env) {
        Map<String, String> settings = cluster.settings(ServiceConfig.baseDef(), env);
        String bootstrap = settings.get(ServiceConfig.BOOTSTRAP_SERVERS);
        String registry = settings.get(ServiceConfig.REGISTRY_URL);
        if ((bootstrap == null) != (registry == null)) {
            throw new IllegalArgumentException("--bootstrap-server and --registry-url go together");
        }
        if (bootstrap == null) {
            if (health != null || checkpointDir != null || topicPrefix != null) {
                throw new IllegalArgumentException("--health, --checkpoint-dir and --topic-prefix are for a running"
                        + " cluster (--bootstrap-server); the local loop checks its own");
            }
            return null;
        }
        Map<String, Object> client = new java.util.LinkedHashMap<>(KafkaClientKeys.of(settings));
        client.put(ServiceConfig.BOOTSTRAP_SERVERS, bootstrap);
        String prefix = topicPrefix != null ? topicPrefix
                : settings.getOrDefault(ServiceConfig.TOPIC_PREFIX, Topic.DEFAULT_PREFIX);
        return new Cluster(bootstrap, registry, prefix, Map.copyOf(client));
    }

    @Override
    public Integer call() {
        PrintStream out = CommandExecution.out(spec);
        PrintStream err = CommandExecution.err(spec);
        Cluster where = CommandExecution.usage(spec, () -> cluster(System.getenv()));
        List<Topic> poisoned = CommandExecution.usage(spec, () -> topics(topics));
        Duration wait = CommandExecution.usage(spec,
                () -> Duration.ofSeconds(BenchCommand.integer("wait", waitSeconds == null ? "60" : waitSeconds)));
        try {
            if (where != null) {
                TopicCatalog catalog = new TopicCatalog(where.topicPrefix(), TopicCatalog.defaults().groupPartitions());
                List<PoisonCheck.Probe> probes = new ArrayList<>();
                if (health != null) {
                    for (String url : health.split(",")) {
                        probes.add(httpProbe(url.strip()));
                    }
                }
                return check(new PoisonCheck.Settings(where.bootstrap(), where.registryUrl(), catalog, where.client(),
                        probes, checkpointDir, wait, poisoned), out);
            }
            Path dir = runDir != null ? runDir : Files.createTempDirectory("rlstream-poison");
            return local(dir.toAbsolutePath(), poisoned, wait, out);
        } catch (Exception e) {
            err.println("rlstream poison failed: " + e);
            return 1;
        }
    }

    /** Starts the local platform and loop in {@code runDir}, checks them, stops them. */
    static int local(Path runDir, List<Topic> topics, Duration wait, PrintStream out) throws Exception {
        Files.createDirectories(runDir);
        out.println("rlstream poison: starting a local broker, registry and the loop in " + runDir);
        TopicCatalog catalog = TopicCatalog.defaults();
        try (LocalPlatform platform = LocalPlatform.start(runDir.resolve("platform"), catalog, out)) {
            return inLoop(platform.bootstrapServers(), platform.registryUrl(), catalog, runDir, topics, wait, out);
        }
    }

    /** Starts the loop in this JVM against a broker and registry whose topics exist, and checks it. */
    static int inLoop(String bootstrap, String registryUrl, TopicCatalog catalog, Path runDir, List<Topic> topics,
            Duration wait, PrintStream out) throws Exception {
        Map<String, String> common = Map.of("bootstrap.servers", bootstrap, "registry.url", registryUrl,
                "topic.prefix", catalog.prefix(), "group.partitions", Integer.toString(catalog.groupPartitions()));
        long t0 = System.nanoTime();
        try (PoisonLoop loop = PoisonLoop.start(common, catalog, runDir)) {
            loop.awaitReady(Duration.ofSeconds(120));
            out.printf("rlstream poison: the loop is ready in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            return check(new PoisonCheck.Settings(bootstrap, registryUrl, catalog, Map.of("bootstrap.servers", bootstrap),
                    loop.probes(), loop.checkpoints(), wait, topics), out);
        }
    }

    static int check(PoisonCheck.Settings settings, PrintStream out) throws Exception {
        PoisonCheck check = new PoisonCheck(settings, out);
        PoisonCheck.Result result = check.run();
        check.print(result);
        return result.passed() ? 0 : 1;
    }

    static List<Topic> topics(String list) {
        if (list == null) {
            return BadRecords.INPUT_TOPICS;
        }
        List<Topic> out = new ArrayList<>();
        for (String name : list.split(",")) {
            String suffix = name.strip().toLowerCase(Locale.ROOT).replaceFirst("^rl\\.", "");
            Topic topic = BadRecords.INPUT_TOPICS.stream().filter(t -> t.suffix().equals(suffix)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("--topics: '" + name + "' is not an input topic;"
                            + " choose from " + String.join(", ",
                                    BadRecords.INPUT_TOPICS.stream().map(Topic::suffix).toList())));
            out.add(topic);
        }
        return out;
    }

    /** A service's /health over HTTP: 200 is alive, anything else dead with the body as the reason. */
    static PoisonCheck.Probe httpProbe(String url) {
        URI uri = URI.create(url.endsWith("/health") ? url : url.replaceFirst("/*$", "") + "/health");
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return new PoisonCheck.Probe(uri.getAuthority(), () -> {
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 200 ? Health.UP
                        : Health.dead("HTTP " + r.statusCode() + " " + r.body().strip());
            } catch (Exception e) {
                return Health.dead("no answer from " + uri + ": " + e);
            }
        });
    }
}
