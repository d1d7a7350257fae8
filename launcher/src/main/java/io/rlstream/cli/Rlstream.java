package io.rlstream.cli;

import io.micrometer.core.instrument.MeterRegistry;
import io.rlstream.bench.Benchmarks;
import io.rlstream.config.ServiceConfig;
import io.rlstream.config.ServiceOptions;
import io.rlstream.lake.ConnectCommand;
import io.rlstream.lake.LakeCommand;
import io.rlstream.model.folder.ModelFolder;
import io.rlstream.monitoring.health.Health;
import io.rlstream.monitoring.prometheus.PrometheusEndpoint;
import io.rlstream.processors.config.ProcessorsConfig;
import io.rlstream.processors.tools.AdvantagesCommand;
import io.rlstream.processors.tools.PfPpoR2Command;
import io.rlstream.producers.rollouts.WorkerConfig;
import io.rlstream.reward.RewardServiceConfig;
import io.rlstream.reward.tools.RewardCheckCommand;
import io.rlstream.trainer.service.TrainerServiceConfig;
import io.rlstream.trainer.tools.CheckpointsCommand;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.config.ConfigDef;
import picocli.CommandLine;
import picocli.CommandLine.Command;

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
              acls                 the least-privilege ACLs of every service's principal (a worker reads
                                   rl.prompt-dispatch and rl.checkpoints, writes rl.rollouts, ...) as a
                                   table and as kafka-acls.sh commands; --apply creates them
                                   (rlstream acls --help; docs/operations.md#secure-clusters)
              platform             start only the local broker (--brokers 3: a replicated cluster) and
                                   registry and print their addresses
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
              completion           a bash/zsh completion script for every command and flag
                                   (source <(bin/rlstream completion); README.md#commands)

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

            Flags of every service command (rlstream COMMAND --help lists a command's own):
              --config FILE              properties file with settings (also --command-config FILE,
                                         as Kafka's tools name it)
              --bootstrap-server HOST:PORT   Kafka bootstrap servers (setting bootstrap.servers)
              --registry-url URL         schema registry API root (setting registry.url)
              --set KEY=VALUE            any setting; repeatable. Environment variables
                                         RLSTREAM_<KEY> (dots as underscores) also set keys.
                                         Each service serves Prometheus metrics at
                                         http://metrics.host:metrics.port/metrics (rewards 9401,
                                         worker 9402, processors 9403, dispatcher 9404, trainer 9405;
                                         --set metrics.port=-1 turns it off)
              --help                     this text; rlstream COMMAND --help: that command's page
            """;

    private Rlstream() {
    }

    public static void main(String[] argv) {
        // Avro refuses to instantiate generated classes from packages it is not told to trust.
        System.getProperties().putIfAbsent("org.apache.avro.SERIALIZABLE_PACKAGES", "io.rlstream.events");
        Logging.start(argv.length > 0 ? argv[0] : ""); // before any logger exists
        System.exit(run(Arrays.asList(argv), System.out, System.err));
    }

    /**
     * A command's own part of {@link #USAGE} (its line and flags, up to the next command or blank
     * line), for the commands that parse their own flags ({@code rlstream prompts --help}); null
     * for a command USAGE does not list.
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
        return run(argv, new Terminal(System.in, out, err));
    }

    /**
     * Runs one command: {@code rlstream}, {@code --help} or {@code help} print the grouped overview
     * ({@link #USAGE}); {@code help COMMAND} is {@code COMMAND --help}; anything else goes to the
     * picocli command tree ({@link #commandLine}).
     */
    static int run(List<String> argv, Terminal terminal) {
        if (argv.isEmpty() || argv.get(0).equals("--help") || argv.get(0).equals("-h")
                || argv.get(0).equals("help") && argv.size() == 1) {
            terminal.out().print(USAGE);
            terminal.out().flush();
            return argv.isEmpty() ? 2 : 0;
        }
        List<String> args = argv;
        if (argv.get(0).equals("help")) {
            args = new ArrayList<>(argv.subList(1, argv.size()));
            args.add("--help");
        }
        CommandLine line = commandLine(terminal);
        int status = line.execute(args.toArray(String[]::new));
        terminal.out().flush();
        terminal.err().flush();
        return status;
    }

    /** The top of the command tree: only routes to a subcommand (its overview is {@link #USAGE}). */
    @Command(name = "rlstream", description = "RL post-training of language models as a streaming pipeline on Kafka.")
    static final class Root {
    }

    /**
     * Every rlstream command as a picocli subcommand, each with its own --help, in the order of
     * {@link #USAGE}; mistakes are answered by {@link CommandErrors}.
     */
    static CommandLine commandLine(Terminal terminal) {
        CommandLine root = new CommandLine(new Root());
        root.addSubcommand(new DemoCommand(terminal));
        ServiceCommands.all(terminal).forEach(root::addSubcommand);
        root.addSubcommand("prompts", ForwardedCommand.of("Put a file of prompts on rl.prompts (--file F), or ask the"
                + " running dispatcher's prompt selector (top|show).", PromptsCommand::run, terminal));
        root.addSubcommand("metrics", MetricsCommand.commandLine(terminal));
        root.addSubcommand(new PlatformCommand(terminal));
        root.addSubcommand(new ChaosCommand(terminal));
        root.addSubcommand(new DashboardCommand(terminal));
        root.addSubcommand(new ConfigCommand(terminal));
        root.addSubcommand(new Replay(terminal));
        root.addSubcommand(new AlgorithmsCommand(terminal));
        root.addSubcommand(new DocsCommand(terminal));
        root.addSubcommand(new ServeCommand(terminal));
        root.addSubcommand("model", ModelCommand.commandLine(terminal));
        externalCommands(terminal).forEach(root::addSubcommand);
        root.addSubcommand(new CompletionCommand(terminal));
        layout(root);
        root.setUsageHelpWidth(100);
        root.setExpandAtFiles(false);
        root.setOut(new PrintWriter(terminal.out(), true));
        root.setErr(new PrintWriter(terminal.err(), true));
        root.setParameterExceptionHandler(CommandErrors.PARAMETERS);
        root.setExecutionExceptionHandler(CommandErrors.EXECUTION);
        return root;
    }

    /** Every help page in one layout: description, then "Flags:", "Arguments:", "Subcommands:" headed. */
    private static void layout(CommandLine line) {
        line.getCommandSpec().usageMessage().optionListHeading("%nFlags:%n").parameterListHeading("%nArguments:%n")
                .commandListHeading("%nSubcommands:%n").synopsisSubcommandLabel("SUBCOMMAND");
        line.getSubcommands().values().forEach(Rlstream::layout);
    }

    // ---- Commands of other modules --------------------------------------------------------------
    // picocli @Command classes of their modules join the tree; the ones that read stdin (advantages,
    // pf-ppo r2, reward check) keep their own entry points, which take the terminal's input stream.

    /** The commands that live in other modules, by name. */
    static Map<String, CommandLine> externalCommands(Terminal terminal) {
        Map<String, CommandLine> commands = new LinkedHashMap<>();
        // picocli commands of their own: part of the tree, so that completion knows their flags
        commands.put("connect", tree(new ConnectCommand()));
        commands.put("poison", tree(new io.rlstream.bench.PoisonCommand()));
        commands.put("advantages", ForwardedCommand.of("JSONL groups on stdin -> advantages on stdout.",
                (args, t) -> AdvantagesCommand.run(args, t.in(), t.out(), t.err()), terminal));
        commands.put("pf-ppo", ForwardedCommand.of("R² between proxy reward and true score per PF-PPO strategy (r2).",
                (args, t) -> {
                    if (args.isEmpty() || !args.get(0).equals("r2")) {
                        t.err().println("rlstream: pf-ppo has one subcommand: r2 (rlstream pf-ppo r2 --help)");
                        return 2;
                    }
                    return PfPpoR2Command.run(args.subList(1, args.size()), t.in(), t.out(), t.err());
                }, terminal));
        commands.put("reward", ForwardedCommand.of("Score JSONL responses with a verifier, offline (check).",
                (args, t) -> {
                    if (args.isEmpty() || !args.get(0).equals("check")) {
                        t.err().println("rlstream: reward has one subcommand: check (rlstream reward check --help)");
                        return 2;
                    }
                    return RewardCheckCommand.run(args.subList(1, args.size()), t.in(), t.out(), t.err());
                }, terminal));
        commands.put("acls", ForwardedCommand.of("Least-privilege ACLs per service principal; --apply creates them.",
                (args, t) -> io.rlstream.ops.security.AclsCommand.run(args, t.out(), t.err()), terminal));
        commands.put("lake", tree(new LakeCommand()));
        commands.put("checkpoints", tree(new CheckpointsCommand()));
        commands.put("bench", tree(new Benchmarks()));
        return commands;
    }

    /**
     * Another module's picocli command as a subcommand of the tree. Its module runs it alone
     * through CommandExecution (tests, its static run); here rlstream's own handlers and layout
     * apply, and a flag given twice keeps its last value as the module's parser has it.
     */
    private static CommandLine tree(Object command) {
        CommandLine line = new CommandLine(command);
        line.setOverwrittenOptionsAllowed(true);
        return line;
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
                throw new UsageException("the demo's --set takes settings of the processors, the dispatcher "
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
                    throw new UsageException("unknown trainer setting '" + key + "' (rlstream config trainer lists them)");
                }
                out.put(key, value);
            }
        });
        return out;
    }

    /** A selector name the dispatcher knows, or a usage error that lists them. */
    static String selectorName(String name) {
        if (!io.rlstream.processors.curriculum.PromptSelectors.FAMILY.contains(name)) {
            throw new UsageException("unknown prompt selector '" + name + "'; choose one of "
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
    static <C extends ServiceConfig> int service(ServiceOptions cluster, Path model, PrintStream out, PrintStream err,
            String name, ConfigDef definition, Function<Map<String, String>, C> make, String metricsPortKey,
            ServiceStart<C> start) throws Exception {
        C config = make.apply(settings(cluster, model, definition));
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

    /**
     * Settings from --config, the environment, --bootstrap-server and --registry-url, then --model
     * (the trainer's initial model, the worker's), then --set, later winning.
     */
    static Map<String, String> settings(ServiceOptions cluster, Path model, ConfigDef definition) {
        Map<String, String> values = cluster.settings(definition);
        String key = modelSetting(definition);
        if (key != null && model != null && !cluster.set.containsKey(key)) {
            Path dir = model.toAbsolutePath();
            checkModelFolder(dir);
            values.put(key, dir.toString());
        }
        return values;
    }

    /** A --model that is not a model folder with a tokenizer is a usage error now, not a dead service thread later. */
    private static void checkModelFolder(Path dir) {
        try {
            if (!ModelFolder.open(dir).hasTokenizer()) {
                throw new UsageException("--model " + dir + " has no tokenizer.json; copy the base model's"
                        + " tokenizer files into it");
            }
        } catch (java.io.IOException | RuntimeException e) {
            if (e instanceof UsageException u) {
                throw u;
            }
            throw new UsageException("--model " + dir + " is not a Hugging Face model folder: " + e.getMessage());
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
            throw new UsageException("unknown service '" + service + "'; known: " + services().keySet() + ", dispatcher");
        }
        return settings.definition();
    }
}
