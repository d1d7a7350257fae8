package io.rlstream.cli;

import io.rlstream.config.ServiceConfig;
import io.rlstream.config.ServiceOptions;
import io.rlstream.monitoring.health.Health;
import io.rlstream.monitoring.metrics.MetricsPublisher;
import io.rlstream.monitoring.summary.StepSummaryApp;
import io.rlstream.processors.config.ProcessorsConfig;
import io.rlstream.processors.dispatch.Dispatcher;
import io.rlstream.processors.dispatch.DispatcherService;
import io.rlstream.processors.grouping.GroupingApp;
import io.rlstream.producers.rollouts.RolloutWorker;
import io.rlstream.producers.rollouts.WorkerConfig;
import io.rlstream.reward.RewardService;
import io.rlstream.reward.RewardServiceConfig;
import io.rlstream.trainer.service.TrainerService;
import io.rlstream.trainer.service.TrainerServiceConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The five services as rlstream subcommands: each takes the cluster flags
 * ({@link ServiceOptions}), the worker and the trainer also --model, and runs until Ctrl-C
 * ({@link Rlstream#service}). Their settings are listed by {@code rlstream config SERVICE}, which
 * each help page's footer names.
 */
final class ServiceCommands {

    private ServiceCommands() {
    }

    /** The flags every service shares. */
    abstract static class ServiceCommand implements Callable<Integer> {
        @Mixin
        HelpOption help;
        @Mixin
        ServiceOptions cluster;

        final Terminal terminal;

        ServiceCommand(Terminal terminal) {
            this.terminal = terminal;
        }
    }

    private static final String METRICS = "%nIt serves Prometheus metrics, /health and /ready on the port of the setting"
            + " metrics.port (-1: none). Ctrl-C stops it cleanly; exit status 1 when it cannot go on (the reason in one"
            + " line).";

    @Command(name = "rewards", description = "Score rollouts against reference answers (rl.rollouts -> rl.rewards).",
            footer = {"%nSettings: rlstream config rewards (key, type, default, meaning); give them with --set or --config.",
                    METRICS + " Default port 9401."})
    static final class Rewards extends ServiceCommand {
        Rewards(Terminal terminal) {
            super(terminal);
        }

        @Override
        public Integer call() throws Exception {
            return Rlstream.service(cluster, null, terminal.out(), terminal.err(), "rewards", RewardServiceConfig.DEFINITION,
                    RewardServiceConfig::new, ServiceConfig.METRICS_PORT, (c, registry, closing) -> {
                        RewardService s = new RewardService(c, registry);
                        s.start();
                        return new Rlstream.Running(s, Health.ofStreams("the reward service", s::state, closing));
                    });
        }
    }

    @Command(name = "worker", description = "Generate rollouts (rl.prompt-dispatch -> rl.rollouts).",
            footer = {"%nSettings: rlstream config worker (key, type, default, meaning); give them with --set or --config.",
                    METRICS + " Default port 9402."})
    static final class Worker extends ServiceCommand {
        @Option(names = "--model", paramLabel = "DIR", description = "A Hugging Face model folder to generate with until"
                + " the trainer announces a checkpoint (setting worker.model).")
        Path model;

        Worker(Terminal terminal) {
            super(terminal);
        }

        @Override
        public Integer call() throws Exception {
            return Rlstream.service(cluster, model, terminal.out(), terminal.err(), "worker", WorkerConfig.DEFINITION,
                    WorkerConfig::new, ServiceConfig.METRICS_PORT, (c, registry, closing) -> {
                        RolloutWorker worker = new RolloutWorker(c, registry);
                        Rlstream.Running r = Rlstream.thread(worker, "rollout-worker", closing);
                        // The worker can also stop on its own with a reason (no checkpoint loads, ...).
                        return new Rlstream.Running(r.stop(), () -> {
                            Health h = r.health().health();
                            return !h.alive() && worker.failure() != null
                                    ? Health.dead("the rollout worker stopped: " + worker.failure().getMessage()) : h;
                        });
                    });
        }
    }

    @Command(name = "processors", description = {"Group, compute advantages, filter, batch (-> rl.training-batches);",
            "and roll rl.metrics up per training step (-> rl.step-summary)."},
            footer = {"%nSettings: rlstream config processors (key, type, default, meaning); give them with --set or --config.",
                    METRICS + " Default port 9403."})
    static final class Processors extends ServiceCommand {
        Processors(Terminal terminal) {
            super(terminal);
        }

        @Override
        public Integer call() throws Exception {
            return Rlstream.service(cluster, null, terminal.out(), terminal.err(), "processors", ProcessorsConfig.DEFINITION,
                    ProcessorsConfig::new, ServiceConfig.METRICS_PORT, (c, registry, closing) -> {
                        GroupingApp app = new GroupingApp(c, registry);
                        StepSummaryApp summaries = GroupingApp.stepSummaries(c, registry);
                        app.start();
                        summaries.start();
                        return new Rlstream.Running(() -> {
                            summaries.close();
                            app.close();
                        }, Health.all(List.of(Health.ofStreams("the grouping app", app::state, closing),
                                Health.ofStreams("the step-summary app", summaries::state, closing))));
                    });
        }
    }

    @Command(name = "dispatcher", description = "Send prompts to generate (rl.prompts -> rl.prompt-dispatch).",
            footer = {"%nSettings: rlstream config dispatcher (the processors' settings: dispatch.*, selector.*);"
                    + " give them with --set or --config.",
                    METRICS + " Default port 9404 (setting dispatch.metrics.port). Its prompt selector's state:"
                            + " rlstream prompts top --dispatcher URL (the address it prints)."})
    static final class DispatcherCommand extends ServiceCommand {
        DispatcherCommand(Terminal terminal) {
            super(terminal);
        }

        @Override
        public Integer call() throws Exception {
            return Rlstream.service(cluster, null, terminal.out(), terminal.err(), "dispatcher", ProcessorsConfig.DEFINITION,
                    ProcessorsConfig::new, ProcessorsConfig.DISPATCH_METRICS_PORT, (c, registry, closing) -> {
                        MetricsPublisher metrics = new MetricsPublisher(Dispatcher.SERVICE, c.clientProps(), c.catalog(),
                                c.serdes(), registry);
                        DispatcherService dispatcher = DispatcherService.start(c, metrics, registry);
                        dispatcher.queryAddress().ifPresent(a -> terminal.out().println("dispatcher: selector "
                                + c.getString(ProcessorsConfig.SELECTOR) + "; its state: rlstream prompts top --dispatcher " + a));
                        return new Rlstream.Running(() -> {
                            dispatcher.close();
                            metrics.close();
                        }, dispatcher.health());
                    });
        }
    }

    @Command(name = "trainer", description = "Train on batches, publish checkpoints (-> rl.checkpoints).",
            footer = {"%nSettings: rlstream config trainer (key, type, default, meaning); give them with --set or --config.",
                    METRICS + " Default port 9405."})
    static final class Trainer extends ServiceCommand {
        @Option(names = "--model", paramLabel = "DIR", description = {"The Hugging Face model folder (llama, qwen2, qwen3)"
                + " to start from when the checkpoint folder is empty (setting trainer.init.checkpoint); checkpoints are"
                + " published in the same layout, loadable by transformers, vLLM and SGLang."})
        Path model;

        Trainer(Terminal terminal) {
            super(terminal);
        }

        @Override
        public Integer call() throws Exception {
            return Rlstream.service(cluster, model, terminal.out(), terminal.err(), "trainer", TrainerServiceConfig.DEFINITION,
                    TrainerServiceConfig::new, ServiceConfig.METRICS_PORT,
                    (c, registry, closing) -> Rlstream.thread(new TrainerService(c, registry), "trainer", closing));
        }
    }

    /** One of each, in the order the overview lists them. */
    static List<ServiceCommand> all(Terminal terminal) {
        return List.of(new Rewards(terminal), new Worker(terminal), new Processors(terminal), new DispatcherCommand(terminal),
                new Trainer(terminal));
    }
}
