package io.rlstream.cli;

import io.rlstream.monitoring.dashboard.Dashboard;
import io.rlstream.bench.Benchmarks;
import io.rlstream.demo.Demo;
import io.rlstream.demo.DemoSettings;
import io.rlstream.config.ServiceConfig;
import io.rlstream.lake.ConnectCommand;
import io.rlstream.lake.LakeCommand;
import io.micrometer.core.instrument.MeterRegistry;
import io.rlstream.monitoring.metrics.MetricsPublisher;
import io.rlstream.monitoring.prometheus.PrometheusEndpoint;
import io.rlstream.monitoring.health.Health;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import io.rlstream.ops.LocalPlatform;
import io.rlstream.processors.config.ProcessorsConfig;
import io.rlstream.processors.dispatch.Dispatcher;
import io.rlstream.processors.dispatch.DispatcherService;
import io.rlstream.processors.tools.PromptsQueryCommand;
import io.rlstream.processors.grouping.GroupingApp;
import io.rlstream.monitoring.summary.StepSummaryApp;
import io.rlstream.processors.tools.AdvantagesCommand;
import io.rlstream.processors.tools.PfPpoR2Command;
import io.rlstream.producers.prompts.PromptsCommand;
import io.rlstream.producers.rollouts.RolloutWorker;
import io.rlstream.model.folder.ModelFolder;
import io.rlstream.producers.rollouts.WorkerConfig;
import io.rlstream.reward.RewardService;
import io.rlstream.reward.RewardServiceConfig;
import io.rlstream.reward.tools.RewardCheckCommand;
import io.rlstream.trainer.service.TrainerService;
import io.rlstream.trainer.tools.CheckpointsCommand;
import io.rlstream.trainer.service.TrainerServiceConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** The {@code rlstream} command: the demo, and one subcommand per service. */
public final class Rlstream {

    static final String USAGE = """
            Usage: rlstream COMMAND [flags]

            Run the whole RL loop locally:
              demo                 start a local Kafka broker and schema registry, warm-start a tiny
                                   policy on two-digit addition, and train it with GRPO through Kafka
                                   until held-out accuracy reaches the target or the time budget ends
                  --minutes M        RL time budget in minutes (default 10)
                  --target A         stop when held-out greedy accuracy reaches A (default 0.85)
                  --run-dir DIR      where data, checkpoints, metrics.csv and the learning curve go
                                     (default runs/<timestamp>)
                  --seed S           seed of data, warm start and sampling (default 7)
                  --selector NAME    how the dispatcher chooses prompts: uniform (default),
                                     pass-rate-window, difficulty-pools, pcl
                  --set KEY=VALUE    a setting of the processors and the dispatcher (rlstream
                                     config processors) or the trainer (trainer.*), e.g.
                                     --set dispatch.max-staleness=2 --set selector.pcl.candidates=4
                  --dashboard-port P the live dashboard's port (default 7070, a free one if taken;
                                     0 any free port, -1 no dashboard); the demo prints its address
                  --model DIR        train this Hugging Face model folder (llama, qwen2, qwen3)
                                     instead of the tiny policy: the same task, warm start and
                                     RL, prompts and answers in the model's own tokenizer, the
                                     response limit measured from it (docs/operations.md#models)
                  --generator G      local (default): the worker samples in its own JVM; serve:
                                     rlstream serve generates in a process of its own and the
                                     worker calls it over HTTP (sglang backend), syncing every
                                     checkpoint to it (log: generator.log in the run folder)

            Run one service against an existing cluster (Ctrl-C stops it cleanly):
              rewards              score rollouts against reference answers (rl.rollouts -> rl.rewards)
              worker               generate rollouts (rl.prompt-dispatch -> rl.rollouts)
                  --model DIR        a Hugging Face model folder to generate with until the
                                     trainer announces a checkpoint (setting worker.model)
              processors           group, compute advantages, filter, batch (-> rl.training-batches);
                                   and roll rl.metrics up per training step (-> rl.step-summary)
              dispatcher           send prompts to generate (rl.prompts -> rl.prompt-dispatch)
              trainer              train on batches, publish checkpoints (-> rl.checkpoints)
                  --model DIR        the Hugging Face model folder (llama, qwen2, qwen3) to start
                                     from when the checkpoint folder is empty (setting
                                     trainer.init.checkpoint); checkpoints are published in the
                                     same layout, loadable by transformers, vLLM and SGLang
              prompts --file F     put a JSONL or parquet file of prompts on rl.prompts: plain text or
                                   chat messages, fields found by --preset rlstream|verl|openrlhf,
                                   --input-key, --label-key, ... or --mapping FILE; --dry-run
                                   checks the file without a cluster (rlstream prompts --help)
              prompts top|show ID  what the running dispatcher's prompt selector knows: the top prompts
                                   (--by selected|estimate|prediction|closeness|recent, --n N) or one
                                   prompt; --dispatcher URL (default http://127.0.0.1:7071), --json
              metrics tail         print rl.metrics in the terminal (--follow, --filter NAME, --last N,
                                   --json); metrics steps: rl.step-summary, one row per training step;
                                   metrics catalog: every metric name (rlstream metrics --help)
              connect              sink rl.rollouts, rl.rewards, rl.training-batches and rl.metrics into
                                   Iceberg tables and JSONL files under lake/ with an embedded Kafka
                                   Connect worker; --until-caught-up stops when the lake holds every
                                   record (rlstream connect --help)
              platform             start only the local broker and registry and print their addresses
              chaos                every service as its own process on a local platform, a random one
                                   killed with SIGKILL every 25 s for 10 min and restarted; then an
                                   audit from the topics (batches trained once, groups in one batch,
                                   duplicates, version gaps) and each service's recovery time
                                   (rlstream chaos --help)
              dashboard            a local web page with live charts per training step (accuracy,
                                   reward, effective ratio, staleness, throughput, KL, loss) and the
                                   lineage of any recent group (prompt -> rollouts -> rewards ->
                                   advantages -> batch -> checkpoint), read from the topics
                  --port P           port to serve on (default 7070; 0 any free port)
                  --host H           address to bind (default 127.0.0.1)
              config SERVICE       print the settings of a service (rewards, worker, processors,
                                   dispatcher, trainer) as a table: key, type, default, meaning
              poison               send every kind of bad record (issue 19's corpus) to every input
                                   topic and check each service's answer: a dead letter with a
                                   reason, health, finite weights, good records still processed;
                                   without --bootstrap-server on a local loop it starts (--help)
              replay               run the processors again over the recorded rollouts and rewards
                                   under another configuration; batches go to other topics
                  --application-id ID  new id, so it reads from the earliest records
                  --output-prefix P    prefix of the topics it writes (not the live one)
                  --idle-seconds S     stop after everything is read and no batch came for S s (10)

            Offline tools (no cluster needed):
              algorithms           every family of named algorithms (advantage estimators, filters,
                                   selectors, verifiers, losses, ...): the setting that picks one,
                                   each entry's formula and paper (--markdown, FAMILY; --help)
              docs                 check the parts of docs/ generated from the code (settings,
                                   metrics, topics, algorithm tables); --write rewrites them
              advantages           JSONL groups on stdin -> advantages on stdout
                                   (rlstream advantages --help for estimators and options)
              pf-ppo r2            R² between proxy reward and true score per PF-PPO strategy
                                   (rlstream pf-ppo r2 --help)

              reward check         score JSONL responses with a verifier, offline, to debug rewards
                                   (rlstream reward check --help)
              lake tables|count|head
                                   the data lake's Iceberg tables read back: list them, count rows,
                                   print the first rows as JSON (rlstream lake --help)
              checkpoints list|show|export
                                   the trainer's checkpoints: list them, show one, copy one out as a
                                   policy folder (rlstream checkpoints --help)
              serve --model DIR    serve a model folder over HTTP with the endpoints of vLLM
                                   (/v1/completions) and SGLang (/generate) that the worker
                                   uses, weight updates included (rlstream serve --help)
              model init|inspect|score|generate
                                   Hugging Face model folders (llama, qwen2, qwen3): write a random
                                   one, describe one, per-token log-probs of responses (JSON lines),
                                   generate a completion (rlstream model --help)

            Benchmarks:
              bench processors     rollouts -> rewards -> batches through the real services next to
                                   raw Kafka produce+consume of the same bytes (--help for sizes)
              bench trainer        the trainer's tokens/s and FLOP/s against the matmul peak, on the
                                   demo policy or a model folder (--model DIR) (--help)
              bench selectors      the demo once per prompt selector, same seed and budget: effective
                                   ratio, samples and time to the accuracy target (--help)
              bench async          the demo per staleness bound eta, with and without off-policy
                                   correction: time to the target, idle fractions, speedup (--help)
              bench model          Hugging Face decoders (--sizes 1M,10M or --model DIR): training
                                   step s, tokens/s, FLOP/s against the matmul peak; generation
                                   tokens/s with the KV cache (--help)
              bench objectives     the demo per training objective (grpo, dapo, gspo, nft, lipo-lambda,
                                   online-dpo) and seed: held-out accuracy at the budget and time to
                                   the target, mean and spread over seeds (--help)
              bench generator      the same dispatches generated in process and through rlstream serve
                                   in its own process over HTTP: rollouts/s, tokens/s and their
                                   ratio; the server's weight-sync time per checkpoint, p50 and p99
                                   (--help)

            Flags of every service command:
              --config FILE              properties file with settings
              --bootstrap-server HOST:PORT   Kafka bootstrap servers (setting bootstrap.servers)
              --registry-url URL         schema registry API root (setting registry.url)
              --set KEY=VALUE            any setting; repeatable. Environment variables
                                         RLSTREAM_<KEY> (dots as underscores) also set keys.
                                         Each service serves Prometheus metrics at
                                         http://metrics.host:metrics.port/metrics (rewards 9401,
                                         worker 9402, processors 9403, dispatcher 9404, trainer 9405;
                                         --set metrics.port=-1 turns it off)
              --help                     this text
            """;

    /**
     * Apicurio's client warns on every serde that the 2.x server API is deprecated: known, and not
     * the user's concern. The warning comes from a logger named by the class's simple name, outside
     * the io.apicurio hierarchy. Held here because java.util.logging keeps loggers weakly.
     */
    private static final List<java.util.logging.Logger> APICURIO_LOGS = List.of(
            java.util.logging.Logger.getLogger("io.apicurio"),
            java.util.logging.Logger.getLogger("RegistryClientFacadeFactory"));

    /**
     * Library loggers whose WARN lines at every start are known and harmless, raised to ERROR unless
     * the user set their level (-Dorg.slf4j.simpleLogger.log.NAME=warn brings them back): Kafka
     * Streams 4.3's "processing exception handler is not enabled for the GlobalThread" (printed by
     * its partition assignor from its own copy of the settings, even though every app sets it), the
     * temporary state.dir note, the global consumer's "Not updating last stable offset", Micrometer's
     * "Gauge has been already registered" when two clients share an id, DJL's "Failed to detect GPU
     * count" on machines without CUDA (the trainer and worker log the device they use).
     */
    static final List<String> QUIET_LOGGERS = List.of(
            "org.apache.kafka.streams.StreamsConfig",
            "org.apache.kafka.streams.processor.internals.StateDirectory",
            "org.apache.kafka.clients.consumer.internals.OffsetFetcherUtils",
            "io.micrometer.core.instrument.MeterRegistry",
            "ai.djl.util.cuda.CudaUtils");
    /**
     * In the demo only, which starts its own broker: the metadata warnings while a repartition topic
     * is being created. Services keep them: there they can mean a broker that cannot be reached.
     */
    static final List<String> QUIET_IN_DEMO = List.of("org.apache.kafka.clients.NetworkClient");

    private Rlstream() {
    }

    /** Raises {@link #QUIET_LOGGERS} (and in the demo {@link #QUIET_IN_DEMO}) to ERROR unless set already. */
    static void quietKnownWarnings(String command) {
        List<String> names = new ArrayList<>(QUIET_LOGGERS);
        if ("demo".equals(command)) {
            names.addAll(QUIET_IN_DEMO);
        }
        names.forEach(name -> System.getProperties().putIfAbsent("org.slf4j.simpleLogger.log." + name, "error"));
    }

    public static void main(String[] argv) {
        // Avro refuses to instantiate generated classes from packages it is not told to trust.
        System.getProperties().putIfAbsent("org.apache.avro.SERIALIZABLE_PACKAGES", "io.rlstream.events");
        APICURIO_LOGS.forEach(log -> log.setLevel(java.util.logging.Level.SEVERE));
        // Before any logger exists: slf4j-simple reads a logger's level when the logger is created.
        quietKnownWarnings(argv.length > 0 ? argv[0] : "");
        if (argv.length > 0 && (argv[0].equals("serve") || argv[0].equals("chaos"))) {
            // A server's output is its address line, chaos's its kills and report; INFO lines would bury them.
            System.getProperties().putIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(run(Arrays.asList(argv), System.out, System.err));
    }

    /**
     * A command's own part of {@link #USAGE} (its line and flags, up to the next command or blank
     * line), for {@code rlstream COMMAND --help}; null for a command USAGE does not list.
     */
    static String usageOf(String command) {
        String[] lines = USAGE.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("  " + command + " ") && lines[i].substring(2).startsWith(command + " ")) {
                StringBuilder s = new StringBuilder("Usage: rlstream " + command + " [flags]\n\n").append(lines[i]).append('\n');
                for (int j = i + 1; j < lines.length && lines[j].startsWith("   "); j++) {
                    s.append(lines[j]).append('\n');
                }
                return s.append("\nFlags every service takes (--config, --set, metrics): rlstream --help\n").toString();
            }
        }
        return null;
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) {
        if (argv.isEmpty() || argv.get(0).equals("--help") || argv.get(0).equals("-h") || argv.get(0).equals("help")) {
            out.print(USAGE);
            return argv.isEmpty() ? 2 : 0;
        }
        String command = argv.get(0);
        List<String> rest = argv.subList(1, argv.size());
        // The offline tools and benchmarks parse their own flags.
        switch (command) {
            case "algorithms":
                return AlgorithmsCommand.run(rest, out, err);
            case "docs":
                return DocsCommand.run(rest, out, err);
            case "advantages":
                return AdvantagesCommand.run(rest, System.in, out, err);
            case "pf-ppo":
                if (rest.isEmpty() || !rest.get(0).equals("r2")) {
                    err.println("rlstream: pf-ppo has one subcommand: r2 (rlstream pf-ppo r2 --help)");
                    return 2;
                }
                return PfPpoR2Command.run(rest.subList(1, rest.size()), System.in, out, err);
            case "checkpoints":
                return CheckpointsCommand.run(rest, out, err);
            case "model":
                return ModelCommand.run(rest, System.in, out, err);
            case "serve":
                return ServeCommand.run(rest, out, err);
            case "metrics":
                return MetricsCommand.run(rest, out, err);
            case "connect":
                return ConnectCommand.run(rest, out, err);
            case "lake":
                return LakeCommand.run(rest, out, err);
            case "prompts":
                // rlstream prompts top|show ask a running dispatcher; rlstream prompts --file puts prompts on the topic
                if (!rest.isEmpty() && (rest.get(0).equals("top") || rest.get(0).equals("show"))) {
                    return PromptsQueryCommand.run(rest, out, err);
                }
                return PromptsCommand.run(rest, out, err);
            case "reward":
                if (rest.isEmpty() || !rest.get(0).equals("check")) {
                    err.println("rlstream: reward has one subcommand: check (rlstream reward check --help)");
                    return 2;
                }
                return RewardCheckCommand.run(rest.subList(1, rest.size()), System.in, out, err);
            case "bench":
                return Benchmarks.run(rest, out, err);
            case "chaos":
                return ChaosCommand.run(rest, out, err);
            case "poison":
                return io.rlstream.bench.PoisonCommand.run(rest, out, err);
            default:
                break;
        }
        if (rest.contains("--help") || rest.contains("-h")) {
            String section = usageOf(command);
            if (section != null) {
                out.print(section);
                return 0;
            }
        }
        try {
            Args args = Args.parse(argv.subList(1, argv.size()), List.of("help"));
            if (args.has("help")) {
                out.print(USAGE);
                return 0;
            }
            return switch (command) {
                case "demo" -> demo(args, out);
                case "rewards" -> service(args, out, err, "rewards", RewardServiceConfig.DEFINITION, RewardServiceConfig::new,
                        ServiceConfig.METRICS_PORT, (c, registry, closing) -> {
                            RewardService s = new RewardService(c, registry);
                            s.start();
                            return new Running(s, Health.ofStreams("the reward service", s::state, closing));
                        });
                case "worker" -> service(args, out, err, "worker", WorkerConfig.DEFINITION, WorkerConfig::new,
                        ServiceConfig.METRICS_PORT,
                        (c, registry, closing) -> {
                            RolloutWorker worker = new RolloutWorker(c, registry);
                            Running r = thread(worker, "rollout-worker", closing);
                            // The worker can also stop on its own with a reason (no checkpoint loads, ...).
                            return new Running(r.stop(), () -> {
                                Health h = r.health().health();
                                return !h.alive() && worker.failure() != null
                                        ? Health.dead("the rollout worker stopped: " + worker.failure().getMessage()) : h;
                            });
                        });
                case "trainer" -> service(args, out, err, "trainer", TrainerServiceConfig.DEFINITION,
                        TrainerServiceConfig::new, ServiceConfig.METRICS_PORT,
                        (c, registry, closing) -> thread(new TrainerService(c, registry), "trainer", closing));
                case "processors" -> service(args, out, err, "processors", ProcessorsConfig.DEFINITION,
                        ProcessorsConfig::new, ServiceConfig.METRICS_PORT, (c, registry, closing) -> {
                            GroupingApp app = new GroupingApp(c, registry);
                            StepSummaryApp summaries = GroupingApp.stepSummaries(c, registry);
                            app.start();
                            summaries.start();
                            return new Running(() -> {
                                summaries.close();
                                app.close();
                            }, Health.all(List.of(Health.ofStreams("the grouping app", app::state, closing),
                                    Health.ofStreams("the step-summary app", summaries::state, closing))));
                        });
                case "dispatcher" -> service(args, out, err, "dispatcher", ProcessorsConfig.DEFINITION,
                        ProcessorsConfig::new, ProcessorsConfig.DISPATCH_METRICS_PORT, (c, registry, closing) -> {
                            MetricsPublisher metrics = new MetricsPublisher(Dispatcher.SERVICE, c.clientProps(), c.catalog(),
                                    c.serdes(), registry);
                            DispatcherService dispatcher = DispatcherService.start(c, metrics, registry);
                            dispatcher.queryAddress().ifPresent(a -> out.println("dispatcher: selector "
                                    + c.getString(ProcessorsConfig.SELECTOR) + "; its state: rlstream prompts top --dispatcher " + a));
                            return new Running(() -> {
                                dispatcher.close();
                                metrics.close();
                            }, dispatcher.health());
                        });
                case "platform" -> platform(args, out);
                case "dashboard" -> dashboard(args, out);
                case "config" -> config(args, out);
                case "replay" -> Replay.run(args, out);
                default -> throw new Args.UsageException("unknown command '" + command + "'");
            };
        } catch (Args.UsageException e) {
            err.println("rlstream: " + e.getMessage());
            err.println("Run 'rlstream --help' for usage.");
            return 2;
        } catch (ConfigException e) {
            err.println("rlstream: invalid configuration: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("rlstream " + command + " failed: " + e);
            return 1;
        }
    }

    static int demo(Args args, PrintStream out) throws Exception {
        args.rejectUnknown(List.of("minutes", "target", "run-dir", "seed", "selector", "dashboard-port", "model",
                "generator"));
        DemoSettings.Generator generator;
        try {
            generator = DemoSettings.Generator.of(args.get("generator", DemoSettings.Generator.LOCAL.flag()));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("--generator: " + e.getMessage());
        }
        Path model = null;
        if (args.has("model")) {
            model = args.path("model").toAbsolutePath();
            try {
                Demo.checkModel(model);
            } catch (IllegalArgumentException e) {
                throw new Args.UsageException("--model " + e.getMessage());
            }
        }
        Path runDir = args.path("run-dir");
        if (runDir == null) {
            runDir = Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }
        DemoSettings defaults = DemoSettings.defaults(runDir.toAbsolutePath());
        DemoSettings settings = new DemoSettings(defaults.runDir(),
                Duration.ofMillis(Math.round(args.number("minutes", defaults.rlBudget().toMinutes()) * 60_000)),
                args.number("target", defaults.targetAccuracy()), defaults.evalInterval(), defaults.groupSize(),
                defaults.batchGroups(), defaults.maxInFlight(), (long) args.number("seed", defaults.seed()),
                defaults.decaySteps(), selectorName(args.get("selector", defaults.selector())),
                processorSettings(args.settings()), trainerSettings(args.settings()), model, generator);
        Files.createDirectories(settings.runDir());
        out.println("rlstream demo: run folder " + settings.runDir());
        try (LocalPlatform platform = LocalPlatform.start(settings.runDir().resolve("platform"),
                io.rlstream.schemas.TopicCatalog.defaults(), out)) {
            Demo demo = new Demo(settings, platform.bootstrapServers(), platform.registryUrl(), out)
                    .dashboardPort((int) args.number("dashboard-port", Dashboard.DEFAULT_PORT));
            // Ctrl-C: the hook asks the demo to stop; the demo stops its services and writes its
            // summary while the broker and registry stay up, then releases them.
            CountDownLatch servicesStopped = new CountDownLatch(1);
            platform.stopAfter(servicesStopped, Duration.ofSeconds(60));
            Thread hook = new Thread(() -> {
                demo.requestStop("interrupted (Ctrl-C)");
                try {
                    servicesStopped.await(60, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }, "demo-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            Demo.Result result;
            try {
                result = demo.run();
            } finally {
                servicesStopped.countDown();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the JVM is already running its hooks.
            }
            return result.reachedTarget() ? 0 : 3;
        }
    }

    /**
     * The demo's --set settings for the processors and the dispatcher: every key that is not the
     * trainer's (trainer.*) must be one of theirs.
     */
    static Map<String, String> processorSettings(Map<String, String> settings) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            if (e.getKey().startsWith("trainer.")) {
                continue;
            }
            if (!ProcessorsConfig.DEFINITION.names().contains(e.getKey())) {
                throw new Args.UsageException("the demo's --set takes settings of the processors, the dispatcher "
                        + "(rlstream config processors) and the trainer (trainer.*); '" + e.getKey() + "' is none of them");
            }
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    /** The demo's --set settings for the trainer (keys trainer.*), which must be the trainer's. */
    static Map<String, String> trainerSettings(Map<String, String> settings) {
        Map<String, String> out = new LinkedHashMap<>();
        settings.forEach((key, value) -> {
            if (key.startsWith("trainer.")) {
                if (!TrainerServiceConfig.DEFINITION.names().contains(key)) {
                    throw new Args.UsageException("unknown trainer setting '" + key + "' (rlstream config trainer lists them)");
                }
                out.put(key, value);
            }
        });
        return out;
    }

    /** A selector name the dispatcher knows, or a usage error that lists them. */
    static String selectorName(String name) {
        if (!io.rlstream.processors.curriculum.PromptSelectors.FAMILY.contains(name)) {
            throw new Args.UsageException("unknown prompt selector '" + name + "'; choose one of "
                    + String.join(", ", io.rlstream.processors.curriculum.PromptSelectors.FAMILY.names()));
        }
        return name;
    }

    /** A started service: how to stop it and how it is doing. */
    record Running(AutoCloseable stop, Health.Check health) {
    }

    /** Starts a service; {@code closing} tells its health check that a stop was asked for. */
    @FunctionalInterface
    interface ServiceStart<C> {
        Running start(C config, MeterRegistry registry, Supplier<Boolean> closing) throws Exception;
    }

    /** How often {@link #service} asks a running service whether it can go on. */
    static final long HEALTH_POLL_MS = 500;

    /**
     * Starts a service from its settings with its own Prometheus endpoint (the port in
     * {@code metricsPortKey}, -1 none) serving {@code /metrics}, {@code /health} and {@code /ready},
     * prints the endpoint, and runs until Ctrl-C (exit 0) or until the service can no longer go on:
     * a dead Streams client or work thread (issue 19). Then it prints one line with the reason,
     * stops what is left and returns 1, so that an orchestrator restarts the process.
     */
    static <C extends ServiceConfig> int service(Args args, PrintStream out, PrintStream err, String name,
            ConfigDef definition, Function<Map<String, String>, C> make, String metricsPortKey,
            ServiceStart<C> start) throws Exception {
        List<String> flags = new ArrayList<>(List.of("config", "bootstrap-server", "registry-url"));
        if (modelSetting(definition) != null) {
            flags.add("model");
        }
        args.rejectUnknown(flags);
        C config = make.apply(settings(args, definition));
        PrometheusEndpoint prometheus = PrometheusEndpoint.start(config, metricsPortKey);
        prometheus.address().ifPresent(a -> out.println("prometheus: " + a + " (health: "
                + a.resolve(PrometheusEndpoint.HEALTH_PATH) + ", readiness: " + a.resolve(PrometheusEndpoint.READY_PATH) + ")"));
        AtomicBoolean closing = new AtomicBoolean();
        Running running;
        try {
            running = start.start(config, prometheus.registry(), closing::get);
        } catch (RuntimeException e) {
            prometheus.close();
            throw e;
        }
        prometheus.health(running.health());
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean stoppedOnce = new AtomicBoolean();
        Runnable stop = () -> {
            if (stoppedOnce.compareAndSet(false, true)) {
                closing.set(true);
                try {
                    running.stop().close();
                } catch (Exception e) {
                    System.err.println("error while stopping: " + e);
                }
                prometheus.close();
                stopped.countDown();
            }
        };
        Thread hook = new Thread(stop, name + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        while (!stopped.await(HEALTH_POLL_MS, TimeUnit.MILLISECONDS)) {
            Health h = running.health().health();
            if (!h.alive() && !closing.get()) {
                err.println("rlstream " + name + ": cannot go on: " + h.reason() + "; exiting with status 1");
                stop.run();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the JVM is already stopping: the hook runs stop, which has run
                }
                return 1;
            }
        }
        return 0;
    }

    /** Settings from --config, the environment, --bootstrap-server, --registry-url and --set, later winning. */
    static Map<String, String> settings(Args args, ConfigDef definition) {
        Map<String, String> values = new LinkedHashMap<>(ServiceConfig.read(args.path("config"), System.getenv(), definition));
        if (args.has("bootstrap-server")) {
            values.put(ServiceConfig.BOOTSTRAP_SERVERS, args.get("bootstrap-server", null));
        }
        if (args.has("registry-url")) {
            values.put(ServiceConfig.REGISTRY_URL, args.get("registry-url", null));
        }
        String model = modelSetting(definition);
        if (model != null && args.has("model")) {
            Path dir = args.path("model").toAbsolutePath();
            checkModelFolder(dir);
            values.put(model, dir.toString());
        }
        values.putAll(args.settings());
        return values;
    }

    /** A --model that is not a model folder with a tokenizer is a usage error now, not a dead service thread later. */
    private static void checkModelFolder(Path dir) {
        try {
            if (!ModelFolder.open(dir).hasTokenizer()) {
                throw new Args.UsageException("--model " + dir + " has no tokenizer.json; copy the base model's"
                        + " tokenizer files into it");
            }
        } catch (java.io.IOException | RuntimeException e) {
            if (e instanceof Args.UsageException u) {
                throw u;
            }
            throw new Args.UsageException("--model " + dir + " is not a Hugging Face model folder: " + e.getMessage());
        }
    }

    /** The setting --model stands for in a service (the trainer's initial model, the worker's), or null. */
    static String modelSetting(ConfigDef definition) {
        if (definition.names().contains(TrainerServiceConfig.INIT)) {
            return TrainerServiceConfig.INIT;
        }
        return definition.names().contains(WorkerConfig.MODEL) ? WorkerConfig.MODEL : null;
    }

    /** Runs a service on a thread of its own; it is dead when the thread ends without a stop (its exception in the reason). */
    static Running thread(Runnable service, String name, Supplier<Boolean> closing) {
        Thread t = new Thread(service, name);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        t.setUncaughtExceptionHandler((thread, e) -> {
            failure.set(e);
            System.err.println("rlstream: the " + name + " thread failed: " + e);
            e.printStackTrace();
        });
        t.start();
        return new Running(() -> {
            if (service instanceof AutoCloseable c) {
                c.close();
            }
            t.join(30_000);
        }, Health.ofThread("the " + name, t, failure::get, closing,
                service instanceof Health.Readiness r ? r : () -> true));
    }

    /** The dashboard against an existing cluster, until Ctrl-C. */
    static int dashboard(Args args, PrintStream out) throws Exception {
        args.rejectUnknown(List.of("config", "bootstrap-server", "registry-url", "port", "host"));
        ServiceConfig config = new ServiceConfig(ServiceConfig.baseDef(), settings(args, ServiceConfig.baseDef()));
        int port = (int) args.number("port", Dashboard.DEFAULT_PORT);
        if (port < 0 || port > 65_535) {
            throw new Args.UsageException("--port expects 0..65535 (0: any free port), got " + port);
        }
        try (Dashboard dashboard = Dashboard.start(new HashMap<>(config.clientProps()),
                config.serdes(), config.catalog(), args.get("host", "127.0.0.1"), port, false)) {
            out.println("dashboard: " + dashboard.address() + " (reading " + config.getString(ServiceConfig.BOOTSTRAP_SERVERS)
                    + "; Ctrl-C stops it)");
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
            stopped.await();
        }
        return 0;
    }

    static int platform(Args args, PrintStream out) throws Exception {
        args.rejectUnknown(List.of("run-dir"));
        Path dir = args.path("run-dir") == null ? Path.of("runs", "platform") : args.path("run-dir");
        try (LocalPlatform platform = LocalPlatform.start(dir.toAbsolutePath(), io.rlstream.schemas.TopicCatalog.defaults(), out)) {
            out.println("bootstrap.servers=" + platform.bootstrapServers());
            out.println("registry.url=" + platform.registryUrl());
            out.println("Ctrl-C stops both.");
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
            stopped.await();
        }
        return 0;
    }

    static int config(Args args, PrintStream out) {
        if (args.positional().isEmpty()) {
            throw new Args.UsageException("config needs a service: rewards, worker, processors, dispatcher, trainer");
        }
        out.print(ServiceConfig.markdown(definition(args.positional().get(0))));
        return 0;
    }

    /** A service's settings as `rlstream config` and docs/configuration.md show them. */
    record ServiceSettings(String title, ConfigDef definition) {}

    /**
     * Every service with settings of its own, by command; the dispatcher shares the processors'
     * settings. Built on first use (a holder class): the configs' classes start Kafka's loggers,
     * and a command such as serve sets its log level before that.
     */
    static Map<String, ServiceSettings> services() {
        return Services.ALL;
    }

    private static final class Services {
        static final Map<String, ServiceSettings> ALL = servicesInOrder();
    }

    private static Map<String, ServiceSettings> servicesInOrder() {
        Map<String, ServiceSettings> services = new LinkedHashMap<>();
        services.put("rewards", new ServiceSettings("Reward service", RewardServiceConfig.DEFINITION));
        services.put("worker", new ServiceSettings("Rollout worker", WorkerConfig.DEFINITION));
        services.put("processors", new ServiceSettings("Stream processors and dispatcher", ProcessorsConfig.DEFINITION));
        services.put("trainer", new ServiceSettings("Trainer", TrainerServiceConfig.DEFINITION));
        return java.util.Collections.unmodifiableMap(services);
    }

    static ConfigDef definition(String service) {
        ServiceSettings settings = services().get("dispatcher".equals(service) ? "processors" : service);
        if (settings == null) {
            throw new Args.UsageException("unknown service '" + service + "'; known: " + services().keySet() + ", dispatcher");
        }
        return settings.definition();
    }
}
