package io.rlstream.cli;

import io.rlstream.demo.Demo;
import io.rlstream.demo.DemoSettings;
import io.rlstream.monitoring.dashboard.Dashboard;
import io.rlstream.ops.LocalPlatform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rlstream demo}: a local broker and registry, a warm-started tiny policy, GRPO through Kafka to a target. */
@Command(name = "demo", description = {"Start a local Kafka broker and schema registry, warm-start a tiny policy on"
        + " two-digit addition, and train it with GRPO through Kafka until held-out accuracy reaches the target or the"
        + " time budget ends."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:the target was reached", "1:a failure", "2:a usage error", "3:the time budget ended first"})
final class DemoCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;
    @Option(names = "--minutes", paramLabel = "M", description = "RL time budget in minutes (default 10).")
    Double minutes;
    @Option(names = "--target", paramLabel = "A", description = "Stop when held-out greedy accuracy reaches A (default 0.85).")
    Double target;
    @Option(names = "--run-dir", paramLabel = "DIR", description = "Where data, checkpoints, metrics.csv and the learning"
            + " curve go (default runs/<timestamp>).")
    Path runDir;
    @Option(names = "--brokers", paramLabel = "N", description = "Kafka brokers: 1 (default), or a replicated"
            + " cluster of N KRaft nodes, each its own process (3: replication factor 3, min.insync.replicas 2).")
    int brokers = 1;
    @Option(names = "--seed", paramLabel = "S", description = "Seed of data, warm start and sampling (default 7).")
    Long seed;
    @Option(names = "--selector", paramLabel = "NAME", description = "How the dispatcher chooses prompts: uniform (default),"
            + " pass-rate-window, difficulty-pools, pcl.")
    String selector;
    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A setting of the processors and the dispatcher"
            + " (rlstream config processors) or the trainer (trainer.*), e.g. --set dispatch.max-staleness=2; repeatable.")
    Map<String, String> set = new LinkedHashMap<>();
    @Option(names = "--dashboard-port", paramLabel = "P", description = "The live dashboard's port (default 7070, a free"
            + " one if taken; 0 any free port, -1 no dashboard); the demo prints its address.")
    int dashboardPort = Dashboard.DEFAULT_PORT;
    @Option(names = "--model", paramLabel = "DIR", description = "Train this Hugging Face model folder (llama, qwen2, qwen3)"
            + " instead of the tiny policy: the same task, warm start and RL, prompts and answers in the model's own"
            + " tokenizer (docs/operations.md#models).")
    Path model;
    @Option(names = "--generator", paramLabel = "G", description = "local (default): the worker samples in its own JVM;"
            + " serve: rlstream serve generates in a process of its own and the worker calls it over HTTP (sglang"
            + " backend), syncing every checkpoint to it (log: generator.log in the run folder).")
    String generator = DemoSettings.Generator.LOCAL.flag();

    private final Terminal terminal;

    DemoCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws Exception {
        DemoSettings.Generator generatorKind;
        try {
            generatorKind = DemoSettings.Generator.of(generator);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--generator: " + e.getMessage());
        }
        Path modelDir = null;
        if (model != null) {
            modelDir = model.toAbsolutePath();
            try {
                Demo.checkModel(modelDir);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--model " + e.getMessage());
            }
        }
        Path dir = runDir != null ? runDir
                : Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        DemoSettings defaults = DemoSettings.defaults(dir.toAbsolutePath());
        DemoSettings settings = new DemoSettings(defaults.runDir(),
                Duration.ofMillis(Math.round((minutes != null ? minutes : defaults.rlBudget().toMinutes()) * 60_000)),
                target != null ? target : defaults.targetAccuracy(), defaults.evalInterval(), defaults.groupSize(),
                defaults.batchGroups(), defaults.maxInFlight(), seed != null ? seed : defaults.seed(),
                defaults.decaySteps(), Rlstream.selectorName(selector != null ? selector : defaults.selector()),
                Rlstream.processorSettings(set), Rlstream.trainerSettings(set), modelDir, generatorKind);
        if (brokers < 1) {
            throw new UsageException("--brokers expects at least 1, got " + brokers);
        }
        Files.createDirectories(settings.runDir());
        terminal.out().println("rlstream demo: run folder " + settings.runDir());
        try (LocalPlatform platform = LocalPlatform.start(settings.runDir().resolve("platform"),
                io.rlstream.schemas.TopicCatalog.defaults(), brokers, terminal.out())) {
            Demo demo = new Demo(settings, platform.bootstrapServers(), platform.registryUrl(), terminal.out())
                    .dashboardPort(dashboardPort);
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
}
