package io.rlstream.demo;

import io.rlstream.monitoring.dashboard.Dashboard;
import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.Prompt;
import io.rlstream.monitoring.metrics.MetricCatalog;
import io.rlstream.monitoring.metrics.MetricsPublisher;
import io.rlstream.monitoring.prometheus.PrometheusEndpoint;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import io.rlstream.model.folder.ModelFolder;
import io.rlstream.model.hf.DecoderConfig;
import io.rlstream.model.task.AdditionTask;
import io.rlstream.model.task.Problem;
import io.rlstream.model.tokenizer.HfTokenizer;
import io.rlstream.ops.GeneratorServerProcess;
import io.rlstream.ops.TopicAdmin;
import io.rlstream.producers.prompts.FieldMapping;
import io.rlstream.producers.prompts.JsonlPromptSource;
import io.rlstream.producers.prompts.PromptMapper;
import io.rlstream.producers.prompts.PromptProducer;
import io.rlstream.producers.prompts.PromptSource;
import io.rlstream.producers.rollouts.RolloutWorker;
import io.rlstream.producers.rollouts.WorkerConfig;
import io.rlstream.processors.curriculum.PclSelector;
import io.rlstream.processors.dispatch.Dispatcher;
import io.rlstream.processors.dispatch.DispatcherService;
import io.rlstream.processors.grouping.GroupingCounters;
import io.rlstream.processors.grouping.GroupingApp;
import io.rlstream.monitoring.summary.StepSummaryApp;
import io.rlstream.processors.config.ProcessorsConfig;
import io.rlstream.reward.RewardService;
import io.rlstream.reward.RewardServiceConfig;
import io.rlstream.schemas.RegistrySerdes;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.trainer.core.WarmStart;
import io.rlstream.trainer.service.TrainerService;
import io.rlstream.trainer.service.TrainerServiceConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The demo: every service of rlstream in one JVM, talking only through Kafka topics, training a
 * tiny policy on two-digit addition. Steps: create topics; put the train split on rl.prompts
 * through the prompt producer; warm-start the base policy with a short supervised phase; start
 * the reward service, the processors, the dispatcher, a rollout worker and the trainer; follow
 * rl.checkpoints, print one line per training step and held-out greedy accuracy every few
 * versions; stop at the target or the time budget; write metrics.csv, summary.txt and
 * learning-curve.png into the run folder.
 *
 * <p>With a model folder ({@link DemoSettings#model()}, {@code rlstream demo --model DIR}) the same
 * run trains that Hugging Face model instead of the tiny one: prompts are encoded, warm-start targets
 * ended by its EOS and held-out answers decoded with its own tokenizer ({@link AdditionTask},
 * {@link WarmStart}), and the response limit is measured from that tokenizer
 * ({@link #responseLimit}). Without one nothing differs from the tiny demo.
 */
public final class Demo {

    /**
     * How a run ended.
     *
     * @param reachedTarget     held-out accuracy reached the target within the budget (an evaluation during RL
     *                          or the one of the newest policy at the end)
     * @param samplesGenerated  rollouts the worker generated during RL
     * @param samplesToTarget   rollouts generated when held-out accuracy first reached the target, -1 if never
     * @param secondsToTarget   seconds of RL until then, NaN if never
     * @param effectiveRatio    groups kept by dynamic sampling (rewards not all equal) over groups completed
     * @param groupsCompleted   groups the grouping app completed
     * @param valueMae          PCL: mean |V(x) − group mean reward| over graded groups, NaN for other selectors
     * @param valueBaselineMae  PCL: the same for the running-mean-reward baseline
     * @param trainerIdle       share of the RL time the trainer waited for batches
     * @param generatorIdle     share of the RL time the rollout worker waited for dispatches
     * @param generator         which generator ran: "local (...)" or "serve (...)" with the server's address,
     *                          the weight version it served at the end and its log
     */
    public record Result(double initialAccuracy, double finalAccuracy, long steps, double rlSeconds,
            boolean reachedTarget, String stopReason, Path runDir, String selector, long samplesGenerated,
            long samplesToTarget, double secondsToTarget, double effectiveRatio, long groupsCompleted,
            double valueMae, double valueBaselineMae, double trainerIdle, double generatorIdle, String generator) {

        /** Rollouts generated per second of RL. */
        public double samplesPerSecond() {
            return samplesGenerated / Math.max(rlSeconds, 1e-9);
        }
    }

    /** Source of the held-out accuracy metric on rl.metrics ({@link MetricCatalog#EVAL_ACCURACY}). */
    public static final String EVAL_SOURCE = MetricCatalog.EVAL_ACCURACY.source();

    private final DemoSettings settings;
    private final String bootstrap;
    private final String registryUrl;
    private final PrintStream out;
    private final TopicCatalog catalog = TopicCatalog.defaults();
    private volatile String stopRequest;
    private int dashboardPort = Dashboard.DEFAULT_PORT;
    private boolean stopAtTarget = true;
    private volatile URI dashboardAddress;
    private volatile Long generatorPid;

    public Demo(DemoSettings settings, String bootstrapServers, String registryUrl, PrintStream out) {
        this.settings = settings;
        this.bootstrap = bootstrapServers;
        this.registryUrl = registryUrl;
        this.out = out;
    }

    /**
     * The dashboard's port: {@value Dashboard#DEFAULT_PORT} by default (a free one if that is
     * taken), 0 for any free port, -1 for no dashboard. Call before {@link #run()}.
     */
    public Demo dashboardPort(int port) {
        this.dashboardPort = port;
        return this;
    }

    /**
     * Whether the run stops when held-out accuracy first reaches the target (the default) or goes
     * on to the end of its RL budget, still recording when it first got there (samples and seconds
     * to the target): a comparison of held-out accuracy at a fixed budget needs every run to use
     * the whole budget. Call before {@link #run()}.
     */
    public Demo stopAtTarget(boolean stop) {
        this.stopAtTarget = stop;
        return this;
    }

    /** The running dashboard's page, once the demo has started it. */
    public java.util.Optional<URI> dashboardAddress() {
        return java.util.Optional.ofNullable(dashboardAddress);
    }

    /**
     * The pid of the {@code rlstream serve} child process of a run with {@link DemoSettings.Generator#SERVE},
     * once started (kept after the run, so that a caller can check that it is gone).
     */
    public java.util.OptionalLong generatorPid() {
        Long pid = generatorPid;
        return pid == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(pid);
    }

    /** Asks a running demo to stop at its next check and clean up. */
    public void requestStop(String reason) {
        stopRequest = reason;
    }

    public Result run() throws Exception {
        Path runDir = settings.runDir();
        Files.createDirectories(runDir);
        // Every demo starts a fresh broker, so a reused run folder's checkpoints and state
        // (which point at offsets of the old broker) would resume into nothing: clear them.
        for (String stale : List.of("checkpoints", "state", "base-policy")) {
            deleteTree(runDir.resolve(stale));
        }
        AdditionTask task = AdditionTask.standard();
        createTopics();
        // The dashboard runs from before the warm start until the run's summary is written.
        List<AutoCloseable> dashboardOnly = new ArrayList<>();
        if (dashboardPort >= 0) {
            Dashboard dashboard = Dashboard.start(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                    new RegistrySerdes(registryUrl, Map.of()),
                    catalog, "127.0.0.1", dashboardPort, true);
            dashboardOnly.add(dashboard);
            dashboardAddress = dashboard.address();
            out.println("dashboard: " + dashboardAddress);
        }
        try {
            return run(runDir, task);
        } finally {
            stopAll(dashboardOnly);
            dashboardAddress = null;
        }
    }

    private Result run(Path runDir, AdditionTask task) throws Exception {
        // With a model folder: the dispatcher's response limit comes from its tokenizer (a --set wins).
        Map<String, String> modelProcessorSettings = Map.of();
        if (settings.model() != null) {
            int limit = checkModel(settings.model());
            modelProcessorSettings = Map.of(ProcessorsConfig.MAX_NEW_TOKENS, Integer.toString(limit));
        }
        producePrompts(task.train(), runDir.resolve("train.jsonl"));

        out.println("warm start: supervised phase on a small part of the train split...");
        long t0 = System.nanoTime();
        Path basePolicy = runDir.resolve("base-policy");
        double initial;
        try (Policy policy = settings.model() == null ? Policy.create(PolicyConfig.demo(), settings.seed())
                : Policy.load(settings.model())) {
            if (settings.model() != null) {
                describeModel(policy, modelProcessorSettings);
            }
            WarmStart.Result warm = WarmStart.run(policy, WarmStart.Recipe.demo(), task.train(), settings.seed());
            out.printf("warm start: %d supervised steps, loss %.3f, probe accuracy %.1f%%%n", warm.steps(), warm.loss(),
                    100 * warm.probeAccuracy());
            policy.save(basePolicy, Map.of("policy_name", "demo", "version", "0", "origin", "warm start"));
            initial = AdditionTask.greedyAccuracy(policy, task.heldOut());
        }
        out.printf("warm start done in %.1f s: held-out greedy accuracy %.1f%% on %d prompts never trained on%n",
                (System.nanoTime() - t0) / 1e9, 100 * initial, task.heldOut().size());

        RunLog log = new RunLog(runDir);
        log.eval(0, 0, 0.0, initial);
        Map<String, String> common = Map.of("bootstrap.servers", bootstrap, "registry.url", registryUrl);
        List<AutoCloseable> services = new ArrayList<>();
        long rlStart = System.nanoTime();
        double last = initial;
        long steps = 0;
        String reason;
        try (Policy evaluator = Policy.load(basePolicy);
                KafkaConsumer<String, CheckpointPublished> checkpoints = checkpointConsumer()) {
            // One Prometheus endpoint for every service of the demo (closed last: services close in reverse).
            PrometheusEndpoint prometheus = PrometheusEndpoint.startPreferring("127.0.0.1", 9400);
            services.add(prometheus);
            out.println("prometheus: " + prometheus.address().orElseThrow());
            // --generator serve: the base policy served by rlstream serve in a process of its own, stopped
            // after the worker (services stop in reverse order).
            GeneratorServerProcess server = null;
            Map<String, String> workerSettings = new HashMap<>(common);
            if (settings.generator() == DemoSettings.Generator.SERVE) {
                out.println("generator: starting rlstream serve on the base policy in its own process...");
                server = GeneratorServerProcess.start(runDir, basePolicy, "0", GeneratorServerProcess.DEFAULT_START_TIMEOUT);
                services.add(server);
                generatorPid = server.pid();
                out.printf("generator: rlstream serve at %s (pid %d, log %s); the worker generates through its"
                        + " /generate (sglang backend) and syncs every checkpoint to it%n", server.baseUrl(), server.pid(),
                        server.logFile());
                // sglang rather than openai: one call per weight sync (update_weights_from_disk with the
                // version) instead of vLLM's four, and every response names the version that generated it
                // (meta_info.weight_version), so rollouts carry the version the server really served.
                workerSettings.put(WorkerConfig.BACKEND, "sglang");
                workerSettings.put(WorkerConfig.URL, server.baseUrl());
            }
            RewardService rewards = new RewardService(new RewardServiceConfig(with(common,
                    RewardServiceConfig.STATE_DIR, runDir.resolve("state/rewards").toString())), prometheus.registry());
            rewards.start();
            services.add(rewards);
            Map<String, String> base = new HashMap<>(common);
            base.putAll(modelProcessorSettings);
            ProcessorsConfig processors = new ProcessorsConfig(with(base, settings.processorSettings(),
                    ProcessorsConfig.STATE_DIR, runDir.resolve("state/processors").toString(),
                    ProcessorsConfig.BATCH_GROUPS, Integer.toString(settings.batchGroups()),
                    ProcessorsConfig.GROUP_SIZE, Integer.toString(settings.groupSize()),
                    ProcessorsConfig.MAX_IN_FLIGHT_GROUPS, Integer.toString(settings.maxInFlight()),
                    ProcessorsConfig.SEED, Long.toString(settings.seed()),
                    ProcessorsConfig.SELECTOR, settings.selector(),
                    // any free port: several demos (and tests) may run on one machine
                    ProcessorsConfig.QUERY_PORT, "0"));
            GroupingApp grouping = new GroupingApp(processors, prometheus.registry());
            grouping.start();
            services.add(grouping);
            StepSummaryApp summaries = GroupingApp.stepSummaries(processors, prometheus.registry());
            summaries.start();
            services.add(summaries);
            // Held-out accuracy is the demo's own measurement: it goes to rl.metrics like every other.
            MetricsPublisher evalMetrics = new MetricsPublisher(EVAL_SOURCE, processors.clientProps(), catalog,
                    processors.serdes(), prometheus.registry());
            services.add(evalMetrics);
            evalMetrics.publish(MetricCatalog.EVAL_ACCURACY, initial, 0, 0, Map.of());
            TrainerService trainer = new TrainerService(new TrainerServiceConfig(with(common, settings.trainerSettings(),
                    TrainerServiceConfig.CHECKPOINT_DIR, runDir.resolve("checkpoints").toString(),
                    TrainerServiceConfig.INIT, basePolicy.toString(),
                    // Through the pipeline a batch holds samples up to a few versions old, and a
                    // longer schedule than the in-process recipe's keeps learning going for the
                    // whole run (measured: decay over 300 steps plateaued near 65%).
                    TrainerServiceConfig.DECAY_STEPS, Integer.toString(settings.decaySteps()))), prometheus.registry());
            services.add(start(trainer, "trainer"));
            RolloutWorker worker = new RolloutWorker(new WorkerConfig(with(workerSettings,
                    WorkerConfig.SEED, Long.toString(settings.seed()))), prometheus.registry());
            services.add(start(worker, "rollout-worker"));
            MetricsPublisher dispatchMetrics = new MetricsPublisher(Dispatcher.SERVICE, processors.clientProps(),
                    catalog, processors.serdes(), prometheus.registry());
            services.add(dispatchMetrics);
            DispatcherService dispatching = DispatcherService.start(processors, dispatchMetrics, prometheus.registry());
            services.add(dispatching);
            Dispatcher dispatcher = dispatching.dispatcher();
            out.printf("dispatcher: prompt selector %s%s%n", settings.selector(), dispatching.queryAddress()
                    .map(a -> "; its state while the demo runs: bin/rlstream prompts top --dispatcher " + a).orElse(""));

            long deadline = rlStart + settings.rlBudget().toNanos();
            long samplesToTarget = -1;
            double secondsToTarget = Double.NaN;
            long lastEvalVersion = 0;
            long lastEvalNanos = System.nanoTime();
            long newestVersion = 0;
            String newestUri = null;
            while (true) {
                if (stopRequest != null) {
                    reason = stopRequest;
                    break;
                }
                if (System.nanoTime() > deadline) {
                    reason = "time budget of " + settings.rlBudget().toSeconds() + " s reached";
                    break;
                }
                for (ConsumerRecord<String, CheckpointPublished> r : checkpoints.poll(Duration.ofMillis(200))) {
                    CheckpointPublished c = r.value();
                    if (c.getVersion() <= newestVersion) {
                        continue;
                    }
                    newestVersion = c.getVersion();
                    newestUri = c.getUri();
                    steps = c.getStep();
                    double seconds = (System.nanoTime() - rlStart) / 1e9;
                    Map<String, Double> m = c.getMetrics();
                    double rolloutsPerSecond = worker.generatedSamples() / Math.max(seconds, 1e-9);
                    out.printf("step %4d | policy v%-4d | reward %.3f | effective %.2f | staleness %.2f | %6.0f rollouts/s | loss %+.4f%n",
                            c.getStep(), c.getVersion(), m.getOrDefault("reward_mean", Double.NaN),
                            m.getOrDefault("effective_ratio", Double.NaN), m.getOrDefault("staleness_mean", Double.NaN),
                            rolloutsPerSecond, m.getOrDefault("loss", Double.NaN));
                    log.step(c.getStep(), c.getVersion(), seconds, m, rolloutsPerSecond);
                }
                if (newestUri != null && newestVersion > lastEvalVersion
                        && System.nanoTime() - lastEvalNanos >= settings.evalInterval().toNanos()) {
                    last = evaluate(evaluator, newestUri, task);
                    lastEvalVersion = newestVersion;
                    lastEvalNanos = System.nanoTime();
                    double seconds = (System.nanoTime() - rlStart) / 1e9;
                    log.eval(steps, newestVersion, seconds, last);
                    evalMetrics.publish(MetricCatalog.EVAL_ACCURACY, last, steps, newestVersion, Map.of());
                    out.printf("eval  @ step %d, %.0f s of RL: held-out greedy accuracy %.1f%%%n", steps, seconds, 100 * last);
                    if (samplesToTarget < 0 && last >= settings.targetAccuracy()) {
                        samplesToTarget = worker.generatedSamples();
                        secondsToTarget = seconds;
                        if (stopAtTarget) {
                            reason = String.format("target accuracy %.0f%% reached", 100 * settings.targetAccuracy());
                            break;
                        }
                        out.printf("target accuracy %.0f%% reached after %.0f s of RL; going on to the end of the budget%n",
                                100 * settings.targetAccuracy(), seconds);
                    }
                }
            }
            double rlSeconds = (System.nanoTime() - rlStart) / 1e9;
            out.println("stopping: " + reason);
            String generator = server == null ? "local (in the worker's JVM)"
                    : String.format("serve (rlstream serve at %s, weight version %s at the end, log %s)", server.baseUrl(),
                            server.servedWeightVersion().orElse("unknown: it did not answer"), server.logFile().getFileName());
            stopAll(services);
            // The trainer went on publishing (and retiring old folders) until it stopped: the final
            // evaluation is of the newest checkpoint it announced, whose folder retention keeps.
            for (ConsumerRecords<String, CheckpointPublished> rs = checkpoints.poll(Duration.ofMillis(500));
                    !rs.isEmpty(); rs = checkpoints.poll(Duration.ofMillis(500))) {
                for (ConsumerRecord<String, CheckpointPublished> r : rs) {
                    if (r.value().getVersion() > newestVersion) {
                        newestVersion = r.value().getVersion();
                        newestUri = r.value().getUri();
                        steps = r.value().getStep();
                    }
                }
            }
            if (newestUri != null && newestVersion > lastEvalVersion) {
                last = evaluate(evaluator, newestUri, task);
                log.eval(steps, newestVersion, rlSeconds, last);
            }
            if (samplesToTarget < 0 && last >= settings.targetAccuracy()) {
                // first reached by the evaluation of the newest policy at the end of the budget
                samplesToTarget = worker.generatedSamples();
                secondsToTarget = rlSeconds;
            }
            double valueMae = Double.NaN;
            double valueBaselineMae = Double.NaN;
            if (dispatcher.selector() instanceof PclSelector pcl) {
                valueMae = pcl.predictionError().mae();
                valueBaselineMae = pcl.predictionError().baselineMae();
            }
            Result result = new Result(initial, last, steps, rlSeconds, samplesToTarget >= 0, reason, runDir,
                    settings.selector(), worker.generatedSamples(), samplesToTarget, secondsToTarget,
                    grouping.counters().effectiveRatio(), grouping.counters().get(GroupingCounters.GROUPS_COMPLETED),
                    valueMae, valueBaselineMae, trainer.idleFraction(), worker.idleFraction(), generator);
            log.finish(result, settings);
            out.printf("summary: held-out greedy accuracy %.1f%% -> %.1f%% in %d steps, %.0f s of RL (%s)%n",
                    100 * initial, 100 * last, steps, rlSeconds, reason);
            out.printf("selector %s: %d samples generated, effective ratio %.3f over %d groups%s%n", settings.selector(),
                    result.samplesGenerated(), result.effectiveRatio(), result.groupsCompleted(),
                    Double.isNaN(valueMae) ? "" : String.format(", V(x) error %.3f (running-mean baseline %.3f)",
                            valueMae, valueBaselineMae));
            out.println("generator: " + generator);
            out.println("run folder: " + runDir + " (metrics.csv, eval.csv, summary.txt, learning-curve.png)");
            return result;
        } finally {
            stopAll(services);
        }
    }

    private static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (var walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static double evaluate(Policy evaluator, String uri, AdditionTask task) {
        evaluator.loadWeights(Path.of(URI.create(uri)));
        return AdditionTask.greedyAccuracy(evaluator, task.heldOut());
    }

    /**
     * The response limit of a model folder's demo: the longest answer in its tokens plus EOS
     * ({@link AdditionTask#maxResponseTokens}) plus one token of slack, as the tiny demo's
     * dispatch.max-new-tokens of 5 for its 4.
     */
    public static int responseLimit(HfTokenizer tokenizer) {
        return AdditionTask.maxResponseTokens(tokenizer) + 1;
    }

    /**
     * Checks that {@code dir} is a model folder the demo can train and returns its response limit
     * ({@link #responseLimit}).
     *
     * @throws IllegalArgumentException saying what is wrong: not a model folder, no tokenizer.json, no
     *     end-of-sequence id, or a context (max_position_embeddings) shorter than the longest prompt
     *     plus the response limit
     */
    public static int checkModel(Path dir) {
        ModelFolder folder;
        DecoderConfig config;
        try {
            folder = ModelFolder.open(dir);
            config = folder.config();
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalArgumentException(dir + " is not a Hugging Face model folder: " + e.getMessage(), e);
        }
        if (!folder.hasTokenizer()) {
            throw new IllegalArgumentException(dir + " has no tokenizer.json; copy the base model's tokenizer files into it");
        }
        if (folder.generation().eosTokenIds().isEmpty() && config.eosTokenIds().isEmpty()) {
            throw new IllegalArgumentException(dir + " gives no eos_token_id (generation_config.json, config.json): the"
                    + " warm start ends every answer with it and generation stops at it");
        }
        try (HfTokenizer tokenizer = folder.loadTokenizer()) {
            int prompt = AdditionTask.longestPromptTokens(tokenizer);
            int limit = responseLimit(tokenizer);
            if (prompt + limit > config.maxPositionEmbeddings()) {
                throw new IllegalArgumentException(dir + ": the longest addition prompt (" + prompt + " tokens) plus "
                        + limit + " response tokens exceeds its context of " + config.maxPositionEmbeddings()
                        + " (max_position_embeddings)");
            }
            return limit;
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read the tokenizer of " + dir + ": " + e.getMessage(), e);
        }
    }

    private void describeModel(Policy policy, Map<String, String> processorSettings) {
        DecoderConfig c = policy.config();
        HfTokenizer tokenizer = policy.tokenizer();
        out.printf("model %s: %s, %d layers, hidden %d, vocabulary %d, context %d; with its tokenizer the addition"
                        + " prompts have up to %d tokens and answers up to %d + EOS %s; response limit %s%n",
                settings.model(), c.architecture().modelType(), c.numHiddenLayers(), c.hiddenSize(), c.vocabSize(),
                c.maxPositionEmbeddings(), AdditionTask.longestPromptTokens(tokenizer),
                AdditionTask.maxResponseTokens(tokenizer) - 1, java.util.Arrays.toString(policy.stopTokenIds()),
                settings.processorSettings().getOrDefault(ProcessorsConfig.MAX_NEW_TOKENS,
                        processorSettings.get(ProcessorsConfig.MAX_NEW_TOKENS)));
    }

    private static AutoCloseable start(Runnable service, String name) {
        Thread t = new Thread(service, name);
        t.setDaemon(true);
        t.start();
        return () -> {
            if (service instanceof AutoCloseable closeable) {
                closeable.close();
            }
            t.join(30_000);
        };
    }

    private static void stopAll(List<AutoCloseable> services) {
        for (int i = services.size() - 1; i >= 0; i--) {
            try {
                services.get(i).close();
            } catch (Exception e) {
                System.err.println("error while stopping a service: " + e);
            }
        }
        services.clear();
    }

    private void createTopics() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            TopicAdmin.createTopics(admin, catalog, (short) 1);
        }
    }

    /** Writes the train split as JSONL and puts it on rl.prompts through the real prompt producer. */
    private void producePrompts(List<Problem> problems, Path file) throws IOException {
        StringBuilder jsonl = new StringBuilder();
        for (Problem p : problems) {
            jsonl.append("{\"prompt_id\":\"").append(p.id()).append("\",\"text\":\"").append(p.prompt())
                    .append("\",\"answer\":\"").append(p.answer()).append("\",\"task\":\"addition\"}\n");
        }
        Files.writeString(file, jsonl);
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        RegistrySerdes serdes = new RegistrySerdes(registryUrl, Map.of());
        try (KafkaProducer<String, Prompt> producer = new KafkaProducer<>(props, new StringSerializer(),
                serdes.serde(Prompt.class).serializer());
                PromptSource source = JsonlPromptSource.open(file)) {
            PromptProducer.Summary s = new PromptProducer(producer, catalog.name(Topic.PROMPTS))
                    .produce(source, new PromptMapper(FieldMapping.RLSTREAM, "addition-train", source.unit()), out::println);
            out.printf("prompts: %d train prompts on %s (%d skipped)%n", s.produced(), catalog.name(Topic.PROMPTS),
                    s.rows().skippedTotal());
        }
    }

    private KafkaConsumer<String, CheckpointPublished> checkpointConsumer() {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, CheckpointPublished> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new RegistrySerdes(registryUrl, Map.of()).serde(CheckpointPublished.class).deserializer());
        TopicPartition p = new TopicPartition(catalog.name(Topic.CHECKPOINTS), 0);
        consumer.assign(List.of(p));
        consumer.seekToBeginning(List.of(p));
        return consumer;
    }

    private static Map<String, String> with(Map<String, String> base, String... keyValues) {
        return with(base, Map.of(), keyValues);
    }

    /** base, then the key-value pairs, then {@code last} (the user's --set). */
    private static Map<String, String> with(Map<String, String> base, Map<String, String> last, String... keyValues) {
        Map<String, String> m = new HashMap<>(base);
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        m.putAll(last);
        return m;
    }
}
