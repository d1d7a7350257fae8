package io.rlstream.bench.sim;

import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.Prompt;
import io.rlstream.ops.LocalPlatform;
import io.rlstream.processors.config.ProcessorsConfig;
import io.rlstream.processors.dispatch.DispatcherService;
import io.rlstream.processors.grouping.GroupingApp;
import io.rlstream.reward.RewardService;
import io.rlstream.reward.RewardServiceConfig;
import io.rlstream.schemas.RegistrySerdes;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * SIMULATED asynchronous RL beyond one machine: the real broker, registry, dispatcher (with AReaL's
 * staleness bound η), reward service and grouping app, with the generators and the trainer replaced
 * by timed stand-ins ({@link TimedGenerator}, {@link TimedTrainer}): many generators whose groups
 * take as long as their longest response (log-normal lengths), a trainer whose batch takes time in
 * proportion to its tokens. Nothing learns; what it measures is how long a fixed number of batches
 * takes to train at each η, so the speedup of overlapping generation with training, and the idle
 * fractions and staleness that come with it, at a scale one machine cannot run for real.
 */
public final class AsyncSimulation {

    /** One simulated setting. */
    public record Settings(List<Integer> etas, int generators, int batches, int batchGroups, int groupSize,
            TimedGenerator.Timing timing, double trainSecondsPerToken, long seed, Path runDir) {
    }

    /** What one η gave. */
    public record Run(int eta, double seconds, long batches, double trainerIdle, double generatorIdle,
            double stalenessMean, long stalenessMax) {
    }

    private AsyncSimulation() {
    }

    /**
     * The defaults: 64 generators at 4 ms a token, 30 batches of 16 groups × 8 samples, responses of
     * median 400 tokens (σ 0.8, at most 4096), training at 0.02 ms a token: a group takes about 5 s
     * (its longest of 8 responses), so 64 generators fill a batch in about as long as the trainer
     * takes to train it, the case where overlap pays most.
     */
    public static Settings defaults(List<Integer> etas, Path runDir) {
        return new Settings(etas, 64, 30, 16, 8, new TimedGenerator.Timing(0.004, 400, 0.8, 4096), 0.00002, 11, runDir);
    }

    public static List<Run> run(Settings s, PrintStream out) throws Exception {
        List<Run> runs = new ArrayList<>();
        for (int eta : s.etas()) {
            out.printf("%n=== SIMULATED: eta %d, %d timed generators, %d batches ===%n", eta, s.generators(), s.batches());
            runs.add(runOne(s, eta, out));
            Run r = runs.get(runs.size() - 1);
            out.printf("eta %d: %d batches in %.1f s; trainer idle %.0f%%, generators idle %.0f%%, staleness mean %.2f, max %d%n",
                    eta, r.batches(), r.seconds(), 100 * r.trainerIdle(), 100 * r.generatorIdle(), r.stalenessMean(),
                    r.stalenessMax());
        }
        return runs;
    }

    private static Run runOne(Settings s, int eta, PrintStream out) throws Exception {
        Path dir = s.runDir().resolve("sim-eta-" + eta);
        Files.createDirectories(dir);
        // one partition per generator, so that every stand-in has dispatches to take
        TopicCatalog catalog = new TopicCatalog(Topic.DEFAULT_PREFIX, s.generators());
        try (LocalPlatform platform = LocalPlatform.start(dir.resolve("platform"), catalog, out)) {
            Map<String, Object> client = new HashMap<>();
            client.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
            RegistrySerdes serdes = new RegistrySerdes(platform.registryUrl(), Map.of());
            Map<String, String> answers = producePrompts(client, catalog, serdes);
            Map<String, String> common = Map.of("bootstrap.servers", platform.bootstrapServers(),
                    "registry.url", platform.registryUrl(), "group.partitions", Integer.toString(s.generators()));
            List<AutoCloseable> services = new ArrayList<>();
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> threads = new ArrayList<>();
            try {
                Map<String, String> rc = new HashMap<>(common);
                rc.put(RewardServiceConfig.STATE_DIR, dir.resolve("state/rewards").toString());
                rc.put("reward.stream.threads", "2");
                RewardService rewards = new RewardService(new RewardServiceConfig(rc));
                rewards.start();
                services.add(rewards);
                Map<String, String> pc = new HashMap<>(common);
                pc.put(ProcessorsConfig.STATE_DIR, dir.resolve("state/processors").toString());
                pc.put(ProcessorsConfig.BATCH_GROUPS, Integer.toString(s.batchGroups()));
                pc.put(ProcessorsConfig.GROUP_SIZE, Integer.toString(s.groupSize()));
                pc.put(ProcessorsConfig.DISPATCH_MAX_STALENESS, Integer.toString(eta));
                pc.put(ProcessorsConfig.MAX_IN_FLIGHT_GROUPS, Integer.toString((eta + 2) * s.batchGroups()));
                pc.put(ProcessorsConfig.MAX_NEW_TOKENS, Integer.toString(s.timing().maxTokens()));
                pc.put(ProcessorsConfig.QUERY_PORT, "-1");
                ProcessorsConfig processors = new ProcessorsConfig(pc);
                GroupingApp grouping = new GroupingApp(processors);
                grouping.start();
                services.add(grouping);
                AtomicLong version = new AtomicLong();
                threads.add(start("sim-checkpoints", () -> followCheckpoints(client, catalog, serdes, version, running)));
                List<TimedGenerator> generators = new ArrayList<>();
                for (int i = 0; i < s.generators(); i++) {
                    TimedGenerator g = new TimedGenerator("sim-generator-" + i, client, catalog, serdes, s.timing(),
                            answers, version, running, s.seed() * 1000 + i);
                    generators.add(g);
                    threads.add(start("sim-generator-" + i, g));
                }
                TimedTrainer trainer = new TimedTrainer(client, catalog, serdes, s.trainSecondsPerToken(), s.batches(), running);
                Thread trainerThread = start("sim-trainer", trainer);
                threads.add(trainerThread);
                DispatcherService dispatcher = DispatcherService.start(processors, null);
                services.add(dispatcher);
                long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                long lastReport = 0;
                while (trainerThread.isAlive() && System.nanoTime() < deadline) {
                    trainerThread.join(1000);
                    if (trainer.trained() >= lastReport + 5) {
                        lastReport = trainer.trained();
                        out.printf("  %d/%d batches trained%n", trainer.trained(), s.batches());
                    }
                }
                double generatorIdle = generators.stream().mapToDouble(TimedGenerator::idleFraction)
                        .filter(v -> !Double.isNaN(v)).average().orElse(Double.NaN);
                return new Run(eta, trainer.seconds(), trainer.trained(), trainer.idleFraction(), generatorIdle,
                        trainer.stalenessMean(), trainer.stalenessMax());
            } finally {
                running.set(false);
                for (Thread t : threads) {
                    t.join(10_000);
                }
                for (int i = services.size() - 1; i >= 0; i--) {
                    services.get(i).close();
                }
            }
        }
    }

    private static Thread start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The demo's addition prompts (their answers are what the stand-ins answer right). */
    private static Map<String, String> producePrompts(Map<String, Object> client, TopicCatalog catalog,
            RegistrySerdes serdes) {
        Map<String, String> answers = new HashMap<>();
        Map<String, Object> p = new HashMap<>(client);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<String, Prompt> producer = new KafkaProducer<>(p, new StringSerializer(),
                serdes.serde(Prompt.class).serializer())) {
            for (int a = 10; a <= 99; a++) {
                for (int b = 10; b <= 99; b++) {
                    String id = "add-" + a + "-" + b;
                    answers.put(id, Integer.toString(a + b));
                    producer.send(new ProducerRecord<>(catalog.name(Topic.PROMPTS), id, Prompt.newBuilder().setPromptId(id)
                            .setText(a + "+" + b + "=").setReferenceAnswer(Integer.toString(a + b)).setTask("addition")
                            .setCreatedAt(Instant.now()).build()));
                }
            }
        }
        return answers;
    }

    private static void followCheckpoints(Map<String, Object> client, TopicCatalog catalog, RegistrySerdes serdes,
            AtomicLong version, AtomicBoolean running) {
        Map<String, Object> c = new HashMap<>(client);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        TopicPartition tp = new TopicPartition(catalog.name(Topic.CHECKPOINTS), 0);
        try (KafkaConsumer<String, CheckpointPublished> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                serdes.serde(CheckpointPublished.class).deserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            while (running.get()) {
                consumer.poll(Duration.ofMillis(20)).forEach(r -> TimedGenerator.followCheckpoint(r.value(), version));
            }
        }
    }

    /** The table: seconds for the batches per η and the speedup over η = 0. */
    public static String format(List<Run> runs, Settings s) {
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "SIMULATED (timed stand-ins, nothing learns): %d generators, %d batches of %d x %d, "
                + "responses log-normal median %.0f tokens (sigma %.1f, max %d), %.1f ms/token per group, training %.3f ms/token%n",
                s.generators(), s.batches(), s.batchGroups(), s.groupSize(), s.timing().lengthMedian(), s.timing().lengthSigma(),
                s.timing().maxTokens(), 1000 * s.timing().secondsPerToken(), 1000 * s.trainSecondsPerToken()));
        t.append(String.format(Locale.ROOT, "%4s %9s %9s %10s %9s %10s %9s %9s%n", "eta", "batches", "seconds", "s/batch",
                "trainer", "generators", "staleness", "speedup"));
        Run base = runs.stream().filter(r -> r.eta() == 0).findFirst().orElse(null);
        for (Run r : runs) {
            t.append(String.format(Locale.ROOT, "%4d %9d %9.1f %10.2f %8.0f%% %9.0f%% %9.2f %9s%n", r.eta(), r.batches(),
                    r.seconds(), r.seconds() / Math.max(1, r.batches()), 100 * r.trainerIdle(), 100 * r.generatorIdle(),
                    r.stalenessMean(), base == null || r.batches() == 0 ? "-"
                            : String.format(Locale.ROOT, "%.2fx", (base.seconds() / base.batches()) / (r.seconds() / r.batches()))));
        }
        return t.toString();
    }
}
