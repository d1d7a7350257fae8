package io.rlstream.bench;

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

/**
 * {@code rlstream poison}: issue 19's bad-record corpus against a running loop, or against a local
 * one it starts (the local platform and every service in this JVM). Exit 0 only when every bad
 * record is handled, every service is healthy, the newest checkpoint is finite and the good
 * records sent after the bad ones were processed; 1 otherwise; 2 for a usage error.
 */
public final class PoisonCommand {

    static final String USAGE = """
            Usage: rlstream poison [flags]

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

            Without --bootstrap-server it starts a local broker and registry and the whole loop in
            this JVM (reward service, processors, dispatcher, trainer, one worker; the untrained demo
            policy) in a temporary folder, and checks them.

              --bootstrap-server HOST:PORT   a running cluster (with --registry-url)
              --registry-url URL             its schema registry
              --topic-prefix P               topic prefix (default rl.)
              --health URL[,URL...]          each service's /health (e.g. http://host:9404); checked
                                             after the answers; without it, health is not checked
              --checkpoint-dir DIR           the trainer's checkpoint folder: the newest must load
                                             with finite weights; its folder is also announced under
                                             a forged high version
              --topics T[,T...]              topic suffixes to poison (default: every input topic:
                                             %s)
              --wait S                       seconds to wait for the answers (default 60)
              --run-dir DIR                  local mode: where the platform and services keep their
                                             files (default: a temporary folder)
            """.formatted(String.join(",", BadRecords.INPUT_TOPICS.stream().map(Topic::suffix).toList()));

    private static final List<String> FLAGS = List.of("bootstrap-server", "registry-url", "topic-prefix", "health",
            "checkpoint-dir", "topics", "wait", "run-dir");

    private PoisonCommand() {
    }

    public static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.contains("--help") || args.contains("-h")) {
            out.print(USAGE);
            return 0;
        }
        Map<String, String> flags;
        List<Topic> topics;
        Duration wait;
        try {
            flags = BenchCommand.flags(args, FLAGS);
            if (flags.containsKey("bootstrap-server") != flags.containsKey("registry-url")) {
                throw new IllegalArgumentException("--bootstrap-server and --registry-url go together");
            }
            if (!flags.containsKey("bootstrap-server") && (flags.containsKey("health")
                    || flags.containsKey("checkpoint-dir") || flags.containsKey("topic-prefix"))) {
                throw new IllegalArgumentException("--health, --checkpoint-dir and --topic-prefix are for a running"
                        + " cluster (--bootstrap-server); the local loop checks its own");
            }
            topics = topics(flags.get("topics"));
            wait = Duration.ofSeconds(BenchCommand.integer("wait", flags.getOrDefault("wait", "60")));
        } catch (IllegalArgumentException e) {
            err.println("rlstream poison: " + e.getMessage());
            err.println("Run 'rlstream poison --help' for usage.");
            return 2;
        }
        try {
            if (flags.containsKey("bootstrap-server")) {
                TopicCatalog catalog = new TopicCatalog(flags.getOrDefault("topic-prefix", Topic.DEFAULT_PREFIX),
                        TopicCatalog.defaults().groupPartitions());
                List<PoisonCheck.Probe> probes = new ArrayList<>();
                if (flags.containsKey("health")) {
                    for (String url : flags.get("health").split(",")) {
                        probes.add(httpProbe(url.strip()));
                    }
                }
                Path checkpoints = flags.containsKey("checkpoint-dir") ? Path.of(flags.get("checkpoint-dir")) : null;
                return check(new PoisonCheck.Settings(flags.get("bootstrap-server"), flags.get("registry-url"), catalog,
                        Map.of("bootstrap.servers", flags.get("bootstrap-server")), probes, checkpoints, wait, topics),
                        out);
            }
            Path runDir = flags.containsKey("run-dir") ? Path.of(flags.get("run-dir"))
                    : Files.createTempDirectory("rlstream-poison");
            return local(runDir.toAbsolutePath(), topics, wait, out);
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
