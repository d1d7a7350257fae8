package io.rlstream.bench;

import io.rlstream.bench.ProcessorsBenchmark.Latency;
import io.rlstream.bench.ProcessorsBenchmark.Row;
import io.rlstream.bench.ProcessorsBenchmark.Settings;
import io.rlstream.bench.SyntheticRollouts.Payload;
import io.rlstream.events.BatchTokens;
import io.rlstream.events.Prompt;
import io.rlstream.events.Rollout;
import io.rlstream.events.Reward;
import io.rlstream.events.SampleStatus;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.processors.config.ProcessorsConfig;
import io.rlstream.processors.grouping.GroupingApp;
import io.rlstream.processors.grouping.GroupingCounters;
import io.rlstream.reward.RewardService;
import io.rlstream.rollouts.KafkaRolloutLog;
import io.rlstream.rollouts.TokenResolver;
import io.rlstream.reward.RewardServiceConfig;
import io.rlstream.schemas.RegistrySerdes;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The rlstream side: synthetic rollouts through the real reward service and the real grouping
 * app, both exactly-once with registry serdes, read back from rl.training-batches by a
 * read_committed consumer.
 *
 * <pre>
 *  prompts ──► rl.prompts ──(global table)──┐
 *  rollouts ─► rl.rollouts ──► RewardService ──► rl.rewards ──► reader: scored_at per group
 *                   └──────────────────► GroupingApp ◄──┘
 *                                            └──► rl.training-batches ──► reader: groups, batches, read time
 * </pre>
 *
 * The clock runs from the first rollout sent until the batch reader has every group. Batch
 * records are read as bytes and decoded after the clock stops, as the raw side's records are
 * never decoded; rewards are small and are decoded as they arrive.
 */
final class PipelineRun {

    /** What the pipeline delivered in one timed phase. */
    record Outcome(Row row, long batches, long groupsBatched, long distinctGroups, long rewards, long failedRewards,
            Latency sentToRewarded, Map<String, Double> cpuSeconds, List<String> problems) {

        /** A phase that did not run. */
        static final Outcome NONE = new Outcome(Row.NONE, 0, 0, 0, 0, 0, Latency.of(new long[0]), Map.of(), List.of());

        /** Every one of {@code groups} groups arrived exactly once, and nothing went wrong. */
        boolean complete(int groups) {
            return problems.isEmpty() && groupsBatched == groups && distinctGroups == groups;
        }
    }

    /**
     * A paced phase.
     *
     * @param rate            rollouts/s it was paced at
     * @param maxBehindMillis how late the latest group was sent after its instant (0: the sender kept the pace)
     */
    record PacedOutcome(double rate, Outcome outcome, double maxBehindMillis) {
    }

    /**
     * Both phases; either is null when it did not run.
     *
     * @param raw      the raw Kafka runs made between the unpaced runs, in order; empty when there were none
     * @param problems the services' own (warm-up, dead letters, failures), besides each phase's
     */
    record Outcomes(Outcome unpaced, PacedOutcome paced, List<RawKafkaRun.Outcome> raw, List<String> problems) {
    }

    /** A raw Kafka run (0-based) made right after the unpaced rlstream run of the same index. */
    @FunctionalInterface
    interface RawRuns {
        RawKafkaRun.Outcome run(int index) throws InterruptedException;
    }

    private record BatchRecord(String batchId, byte[] value, long readAtMillis) {
    }

    /** Parts of this JVM that CPU time is booked to. */
    static final String REWARD_SERVICE = "reward service";
    static final String GROUPING_APP = "grouping app";
    static final String BENCH_CLIENTS = "bench clients";
    /** The services' threads while the raw side runs between the rlstream runs: not raw Kafka's work. */
    static final String IDLE_SERVICES = "idle services";

    private final String bootstrapServers;
    private final RegistrySerdes serdes;
    private final String registryUrl;
    private final TopicCatalog catalog;
    private final Path stateRoot;
    private final Settings settings;
    private final CpuMeter cpu;
    private final PrintStream out;

    /** @param processes processes to measure CPU of besides this JVM (the local broker), by name */
    PipelineRun(String bootstrapServers, String registryUrl, TopicCatalog catalog, Path stateRoot, Settings settings,
            Map<String, Long> processes, PrintStream out) {
        this.bootstrapServers = bootstrapServers;
        this.registryUrl = registryUrl;
        this.serdes = new RegistrySerdes(registryUrl, Map.of());
        this.catalog = catalog;
        this.stateRoot = stateRoot;
        this.settings = settings;
        this.out = out;
        // Streams threads carry their application id; the services' metrics threads and producers
        // are named reward-metrics, reward-service-metrics and grouping-metrics, the reward service's
        // verifier threads (verifiers that are not bounded) reward-verifier; the bench's own
        // threads and clients start with "bench-"; the calling thread sends the rollouts.
        String sender = Thread.currentThread().getName();
        List<CpuMeter.Rule> rules = new ArrayList<>(serviceRules(catalog, REWARD_SERVICE, GROUPING_APP));
        rules.add(new CpuMeter.Rule("bench-", BENCH_CLIENTS));
        rules.add(new CpuMeter.Rule(sender, BENCH_CLIENTS));
        this.cpu = new CpuMeter(rules, processes);
    }

    /**
     * Rules that book the services' threads to {@code rewardPart} and {@code groupingPart}; they
     * go before any rule for "bench-", which the run prefix in their names also contains.
     */
    static List<CpuMeter.Rule> serviceRules(TopicCatalog catalog, String rewardPart, String groupingPart) {
        return List.of(
                new CpuMeter.Rule(rewardsApplicationId(catalog), rewardPart),
                new CpuMeter.Rule("reward-metrics", rewardPart),
                new CpuMeter.Rule(RewardService.VERIFIER_THREAD, rewardPart),
                new CpuMeter.Rule("| reward-service", rewardPart),
                new CpuMeter.Rule(processorsApplicationId(catalog), groupingPart),
                new CpuMeter.Rule("grouping", groupingPart));
    }

    /** Application ids under the run's topic prefix, so that their internal topics share it too. */
    static String rewardsApplicationId(TopicCatalog catalog) {
        return catalog.prefix() + "rewards";
    }

    static String processorsApplicationId(TopicCatalog catalog) {
        return catalog.prefix() + "processors";
    }

    /**
     * Starts the services, sends {@code warmup} through them untimed, then {@link
     * Settings#unpacedRuns()} timed runs one after another, each sent as fast as the producer takes
     * it, then {@code paced} timed at a steady rate: the settings' {@link Settings#rate()}, or else
     * half of the rollouts/s of the median unpaced run.
     *
     * @param unpaced the rollouts of unpaced run i (0-based), each run's groups its own; asked for
     *                just before the run
     * @param paced   rollouts of other groups sent group by group; null: no paced phase
     * @param raw     a raw Kafka run, made right after each unpaced run that delivered every group, so
     *                that each pair runs in the same minute of a shared machine
     */
    Outcomes measure(IntFunction<Payload> unpaced, Payload warmup, Payload paced, RawRuns raw, long deadlineNanos)
            throws InterruptedException {
        long t0 = System.nanoTime();
        int prompts = settings.promptGroups();
        producePrompts(SyntheticRollouts.prompts(prompts, Instant.now()));
        out.printf("rlstream: %d prompts with reference answers on %s (%.1f s)%n", prompts, catalog.name(Topic.PROMPTS),
                (System.nanoTime() - t0) / 1e9);

        RewardService rewards = null;
        GroupingApp grouping = null;
        List<String> serviceProblems = new ArrayList<>();
        Outcome first = null;
        PacedOutcome second = null;
        List<RawKafkaRun.Outcome> rawRuns = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                BenchClients.producer(bootstrapServers, "bench-rollout-producer"), new StringSerializer(),
                new ByteArraySerializer())) {
            t0 = System.nanoTime();
            out.println("rlstream: starting the reward service and the grouping app (exactly-once)...");
            rewards = new RewardService(new RewardServiceConfig(serviceSettings(
                    RewardServiceConfig.APPLICATION_ID, rewardsApplicationId(catalog),
                    RewardServiceConfig.STATE_DIR, stateRoot.resolve("rewards").toString())));
            // Blocks until the global prompts table has read rl.prompts to its end, so every
            // reference answer is there before the first rollout.
            rewards.start();
            grouping = new GroupingApp(new ProcessorsConfig(serviceSettings(
                    ProcessorsConfig.APPLICATION_ID, processorsApplicationId(catalog),
                    ProcessorsConfig.STATE_DIR, stateRoot.resolve("processors").toString(),
                    ProcessorsConfig.BATCH_GROUPS, Integer.toString(settings.batchGroups()),
                    ProcessorsConfig.GROUP_SIZE, Integer.toString(settings.groupSize()),
                    ProcessorsConfig.BATCH_TOKENS, settings.batchTokens().name().toLowerCase(Locale.ROOT))));
            grouping.start();
            awaitRunning("reward service", rewards::state, deadlineNanos);
            awaitRunning("grouping app", grouping::state, deadlineNanos);
            producer.partitionsFor(catalog.name(Topic.ROLLOUTS));
            out.printf("rlstream: services running (%.1f s)%n", (System.nanoTime() - t0) / 1e9);
            if (!warmUp(producer, warmup, deadlineNanos)) {
                serviceProblems.add("the warm-up did not deliver every group (deadline, or see above)");
                return new Outcomes(null, null, rawRuns, serviceProblems);
            }
            first = unpacedRuns(producer, unpaced, raw, rawRuns, deadlineNanos);
            if (paced != null) {
                double rate = settings.rate() > 0 ? settings.rate()
                        : first != null && first.complete(settings.groups()) ? first.row().recordsPerSecond() / 2 : 0;
                if (rate <= 0) {
                    serviceProblems.add("paced run skipped: the unpaced run did not deliver every group, so it "
                            + "measured no capacity to take half of");
                } else if (System.nanoTime() >= deadlineNanos) {
                    serviceProblems.add("paced run skipped: the deadline passed");
                } else {
                    PayloadSender sender = new PayloadSender();
                    Outcome o = phase(String.format(Locale.ROOT, "rlstream paced at %.0f/s", rate), producer, paced,
                            rate, sender, deadlineNanos);
                    second = new PacedOutcome(rate, o, sender.maxBehindMillis());
                }
            }
        } finally {
            out.println("rlstream: stopping the services...");
            diagnose(rewards, grouping, serviceProblems);
            closeQuietly(grouping);
            closeQuietly(rewards);
        }
        return new Outcomes(first, second, rawRuns, serviceProblems);
    }

    /**
     * The unpaced runs, each followed by a raw Kafka run (into {@code rawRuns}), and the one with
     * the median records/s; the first run that does not deliver every group exactly once ends
     * them, and is the one returned (its problems are the run's). Null when there are none.
     */
    private Outcome unpacedRuns(KafkaProducer<String, byte[]> producer, IntFunction<Payload> payloads, RawRuns raw,
            List<RawKafkaRun.Outcome> rawRuns, long deadlineNanos) throws InterruptedException {
        int runs = settings.unpacedRuns();
        List<Outcome> done = new ArrayList<>();
        boolean rawComplete = true;
        for (int i = 0; i < runs; i++) {
            Payload payload = payloads.apply(i);
            Outcome o = phase(runs == 1 ? "rlstream" : "rlstream run " + (i + 1) + " of " + runs, producer, payload, 0,
                    null, deadlineNanos);
            if (!o.complete(settings.groups())) {
                return o;
            }
            done.add(o);
            if (rawComplete && System.nanoTime() < deadlineNanos) {
                RawKafkaRun.Outcome r = raw.run(i);
                rawRuns.add(r);
                rawComplete = r.row().records() >= payload.size();
            }
        }
        if (done.isEmpty()) {
            return null;
        }
        out.println(ProcessorsBenchmark.runsLine("rlstream", done.stream().map(o -> o.row().recordsPerSecond()).toList()));
        return ProcessorsBenchmark.median(done, o -> o.row().recordsPerSecond());
    }

    /**
     * One timed phase on running services: readers at the ends of rl.rewards and
     * rl.training-batches, {@code payload} sent (at once, or paced at {@code rate} rollouts/s
     * with {@code pacer}), until every group of it is read or the deadline.
     */
    private Outcome phase(String side, KafkaProducer<String, byte[]> producer, Payload payload, double rate,
            PayloadSender pacer, long deadlineNanos) throws InterruptedException {
        int rollouts = payload.size();
        int groups = rollouts / settings.groupSize();
        List<String> problems = new ArrayList<>();
        Map<String, Long> latestScore = new HashMap<>(); // reader thread only, read after it stopped
        LatencySamples sentToRewarded = new LatencySamples();
        long[] failedRewards = new long[1];
        Set<String> rewardedRollouts = new HashSet<>(); // reader thread only
        List<BatchRecord> batchRecords = new ArrayList<>(groups); // reader thread only
        Set<String> batchIds = ConcurrentHashMap.newKeySet();
        Deserializer<Reward> rewardValues = serdes.serde(Reward.class).deserializer();
        // Both readers start at the topics' ends once what came before is through: all of its
        // rewards and batches are committed by then, as a batch needs every reward of its groups.
        TopicReader<String, Reward> rewardReader = new TopicReader<>("bench-reward-reader",
                BenchClients.consumer(bootstrapServers, "bench-reward-reader"), new StringDeserializer(), rewardValues,
                catalog.name(Topic.REWARDS), true, rollouts, (r, readAt) -> {
                    Reward w = r.value();
                    long scoredAt = w.getScoredAt().toEpochMilli();
                    // Streams keeps the input's timestamp: a reward's is its rollout's send time.
                    sentToRewarded.add(scoredAt - r.timestamp());
                    latestScore.merge(w.getGroupId(), scoredAt, Math::max);
                    rewardedRollouts.add(w.getRolloutId());
                    if (w.getStatus() != SampleStatus.OK) {
                        failedRewards[0]++;
                    }
                });
        // By reference, a batch counts as read once its tokens are in hand: the reader collects its
        // records, then fetches their rollouts with the trainer's resolver (reader thread only).
        TokenResolver resolver = settings.batchTokens() == BatchTokens.REFERENCE ? new TokenResolver(
                () -> new KafkaRolloutLog(Map.of(org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrapServers), "bench-batch-reader", catalog.name(Topic.ROLLOUTS),
                        serdes.serde(Rollout.class).deserializer(), Duration.ofSeconds(30))) : null;
        Deserializer<TrainingBatchGroup> batchValues = serdes.serde(TrainingBatchGroup.class).deserializer();
        Map<String, List<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>>> unresolved = new HashMap<>();
        List<String> resolveProblems = java.util.Collections.synchronizedList(new ArrayList<>());
        TopicReader<String, byte[]> batchReader = new TopicReader<>("bench-batch-reader",
                BenchClients.consumer(bootstrapServers, "bench-batch-reader"), new StringDeserializer(),
                new ByteArrayDeserializer(), catalog.name(Topic.TRAINING_BATCHES), true, groups, (r, readAt) -> {
                    if (resolver == null) {
                        batchRecords.add(new BatchRecord(r.key(), r.value(), readAt));
                        batchIds.add(r.key());
                        return;
                    }
                    TrainingBatchGroup g = batchValues.deserialize(r.topic(), r.value());
                    List<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>> held =
                            unresolved.computeIfAbsent(r.key(), k -> new ArrayList<>());
                    held.add(r);
                    if (held.size() < g.getBatchGroups()) {
                        return;
                    }
                    unresolved.remove(r.key());
                    TokenResolver.ResolvedBatch resolved = resolver.resolve(held.stream()
                            .map(h -> batchValues.deserialize(h.topic(), h.value())).toList());
                    if (!resolved.missing().isEmpty()) {
                        resolveProblems.add("batch " + r.key() + ": " + resolved.missingSamples()
                                + " rollouts could not be resolved: " + resolved.missing());
                    }
                    long resolvedAt = System.currentTimeMillis();
                    for (var h : held) {
                        batchRecords.add(new BatchRecord(h.key(), h.value(), resolvedAt));
                    }
                    batchIds.add(r.key());
                });
        long startNanos = 0;
        long endNanos = 0;
        Map<String, Double> cpuSeconds = Map.of();
        try {
            rewardReader.start().awaitReady(Duration.ofSeconds(60));
            batchReader.start().awaitReady(Duration.ofSeconds(60));
            PayloadSender sender = pacer != null ? pacer : new PayloadSender();
            out.printf("%s: sending %d rollouts of %d tokens%s...%n", side, rollouts, settings.tokens(), rate > 0
                    ? String.format(Locale.ROOT, ", a group of %d every %.1f ms", settings.groupSize(),
                            PayloadSender.groupStartNanos(1, settings.groupSize(), rate) / 1e6)
                    : "");
            try (ProgressTicker ticker = new ProgressTicker(out, () -> String.format(
                    "%s: %d/%d rollouts sent, %d rewards read, %d/%d batches (%d/%d groups) read", side,
                    sender.sent(), rollouts, rewardReader.records(), batchIds.size(),
                    groups / settings.batchGroups(), batchReader.records(), groups))) {
                CpuMeter.Reading cpuReading = cpu.start();
                startNanos = System.nanoTime();
                if (rate > 0) {
                    sender.sendPaced(producer, catalog.name(Topic.ROLLOUTS), payload, settings.groupSize(), rate);
                } else {
                    sender.sendAll(producer, catalog.name(Topic.ROLLOUTS), payload);
                }
                out.printf("%s: all %d rollouts acknowledged after %.1f s; waiting for the batches...%n", side,
                        sender.acknowledged(), (System.nanoTime() - startNanos) / 1e9);
                if (!batchReader.awaitAll(Duration.ofNanos(deadlineNanos - System.nanoTime()))) {
                    problems.add(String.format("deadline reached: %d of %d groups batched", batchReader.records(),
                            groups));
                }
                endNanos = batchReader.finishedNanos() > 0 ? batchReader.finishedNanos() : System.nanoTime();
                cpuSeconds = cpuReading.stop();
                // Every reward was committed before the last batch could be, so this is quick.
                if (!rewardReader.awaitAll(Duration.ofNanos(Math.max(deadlineNanos - System.nanoTime(), 5_000_000_000L)))) {
                    problems.add(String.format("only %d of %d rewards read", rewardReader.records(), rollouts));
                }
            }
        } finally {
            rewardReader.close();
            batchReader.close();
            if (resolver != null) {
                resolver.close();
            }
        }
        problems.addAll(resolveProblems);
        if (rewardedRollouts.size() < rewardReader.records()) {
            problems.add((rewardReader.records() - rewardedRollouts.size()) + " rewards arrived more than once");
        }
        return outcome(batchRecords, latestScore, sentToRewarded, failedRewards[0], rewardReader.records(), payload,
                (endNanos - startNanos) / 1e9, cpuSeconds, problems);
    }

    /**
     * Sends the warm-up rollouts through the same phase as the timed ones, untimed: its reward and
     * batch readers and, by reference, the resolver run too, so that their code is compiled before
     * the clock starts as well as the services'. False when the warm-up did not deliver every group.
     */
    private boolean warmUp(KafkaProducer<String, byte[]> producer, Payload warmup, long deadlineNanos)
            throws InterruptedException {
        if (warmup.size() == 0) {
            return true;
        }
        long t0 = System.nanoTime();
        Outcome o = phase("rlstream warm-up", producer, warmup, 0, null, deadlineNanos);
        if (!o.complete(warmup.size() / settings.groupSize())) {
            out.printf("rlstream: the warm-up did not deliver every group: %s%n", o.problems());
            return false;
        }
        out.printf("rlstream: warmed up (%.1f s)%n", (System.nanoTime() - t0) / 1e9);
        return true;
    }

    private Outcome outcome(List<BatchRecord> batchRecords, Map<String, Long> latestScore,
            LatencySamples sentToRewarded, long failedRewards, long rewardsRead, Payload payload, double seconds,
            Map<String, Double> cpuSeconds, List<String> problems) {
        Deserializer<TrainingBatchGroup> values = serdes.serde(TrainingBatchGroup.class).deserializer();
        String topic = catalog.name(Topic.TRAINING_BATCHES);
        Set<String> batches = new HashSet<>();
        Set<String> groups = new HashSet<>();
        LatencySamples rewardToBatch = new LatencySamples();
        long samples = 0;
        int unmatched = 0;
        for (BatchRecord b : batchRecords) {
            TrainingBatchGroup g = values.deserialize(topic, b.value());
            batches.add(b.batchId());
            groups.add(g.getGroupId());
            samples += g.getSamples().size();
            Long scored = latestScore.get(g.getGroupId());
            if (scored == null) {
                unmatched++;
            } else {
                rewardToBatch.add(b.readAtMillis() - scored);
            }
        }
        if (groups.size() != batchRecords.size()) {
            problems.add((batchRecords.size() - groups.size()) + " groups arrived more than once");
        }
        if (unmatched > 0) {
            problems.add(unmatched + " batched groups had no reward on " + catalog.name(Topic.REWARDS));
        }
        if (failedRewards > 0) {
            problems.add(failedRewards + " rewards have status FAILED");
        }
        long bytes = Math.round(payload.averageBytes() * samples);
        Row row = new Row(samples, seconds, bytes, Latency.of(rewardToBatch.toArray()));
        return new Outcome(row, batches.size(), batchRecords.size(), groups.size(), rewardsRead, failedRewards,
                Latency.of(sentToRewarded.toArray()), cpuSeconds, problems);
    }

    private void diagnose(RewardService rewards, GroupingApp grouping, List<String> problems) {
        if (rewards != null && !rewards.stats().failures().isEmpty()) {
            problems.add("reward service failures: " + rewards.stats().failures());
        }
        if (grouping != null) {
            GroupingCounters c = grouping.counters();
            long dead = c.get(GroupingCounters.DEAD_LETTERS);
            long dropped = c.get(GroupingCounters.GROUPS_COMPLETED) - c.get(GroupingCounters.GROUPS_KEPT);
            if (dead > 0 || dropped > 0) {
                problems.add("grouping app: " + dead + " dead letters, " + dropped + " groups dropped ("
                        + c.snapshot() + ")");
            }
        }
    }

    private void producePrompts(List<Prompt> prompts) {
        String topic = catalog.name(Topic.PROMPTS);
        try (KafkaProducer<String, Prompt> producer = new KafkaProducer<>(
                BenchClients.producer(bootstrapServers, "bench-prompts"), new StringSerializer(),
                serdes.serde(Prompt.class).serializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>(prompts.size());
            for (Prompt p : prompts) {
                sent.add(producer.send(new ProducerRecord<>(topic, p.getPromptId(), p)));
            }
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot write the prompts to " + topic + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing the prompts", e);
        }
    }

    private Map<String, String> serviceSettings(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        m.put(RewardServiceConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        m.put(RewardServiceConfig.REGISTRY_URL, registryUrl);
        m.put(RewardServiceConfig.TOPIC_PREFIX, catalog.prefix());
        m.put(RewardServiceConfig.GROUP_PARTITIONS, Integer.toString(catalog.groupPartitions()));
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    private static void awaitRunning(String name, Supplier<KafkaStreams.State> state, long deadlineNanos)
            throws InterruptedException {
        while (state.get() != KafkaStreams.State.RUNNING) {
            KafkaStreams.State s = state.get();
            if (s == KafkaStreams.State.ERROR || s == KafkaStreams.State.NOT_RUNNING
                    || s == KafkaStreams.State.PENDING_ERROR) {
                throw new IllegalStateException("the " + name + " stopped while starting (state " + s
                        + "); see its log above");
            }
            if (System.nanoTime() > deadlineNanos) {
                throw new IllegalStateException("the " + name + " was not running before the deadline (state " + s + ")");
            }
            Thread.sleep(50);
        }
    }

    private void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            out.println("rlstream: error while stopping a service: " + e);
        }
    }
}
