package io.rlstream.bench;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import io.rlstream.monitoring.health.Health;
import io.rlstream.monitoring.metrics.MetricsPublisher;
import io.rlstream.monitoring.summary.StepSummaryApp;
import io.rlstream.ops.poison.BadRecords;
import io.rlstream.processors.config.ProcessorsConfig;
import io.rlstream.processors.dispatch.Dispatcher;
import io.rlstream.processors.dispatch.DispatcherService;
import io.rlstream.processors.grouping.GroupingApp;
import io.rlstream.producers.rollouts.RolloutWorker;
import io.rlstream.producers.rollouts.WorkerConfig;
import io.rlstream.reward.RewardService;
import io.rlstream.reward.RewardServiceConfig;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.trainer.service.TrainerService;
import io.rlstream.trainer.service.TrainerServiceConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The RL loop in this JVM for {@code rlstream poison} without {@code --bootstrap-server}: the
 * reward service, the grouping and step-summary apps, the dispatcher, the trainer and one rollout
 * worker, on the untrained demo policy (the corpus checks how services answer records, not what
 * they learn). Each service's health is its in-process check, the one /health serves.
 */
final class PoisonLoop implements AutoCloseable {

    private final List<AutoCloseable> services = new ArrayList<>();
    private final List<PoisonCheck.Probe> probes = new ArrayList<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final Path checkpoints;

    private PoisonLoop(Path checkpoints) {
        this.checkpoints = checkpoints;
    }

    /** Starts every service against the broker and registry of {@code common} (bootstrap.servers, registry.url, ...). */
    static PoisonLoop start(Map<String, String> common, TopicCatalog catalog, Path runDir) {
        PoisonLoop loop = new PoisonLoop(runDir.resolve("checkpoints"));
        try {
            loop.startAll(common, catalog, runDir);
            return loop;
        } catch (RuntimeException e) {
            loop.close();
            throw e;
        }
    }

    private void startAll(Map<String, String> common, TopicCatalog catalog, Path runDir) {
        MeterRegistry registry = new SimpleMeterRegistry();
        Path base = runDir.resolve("base-policy");
        try (Policy policy = Policy.create(PolicyConfig.demo(), 7)) {
            policy.save(base, Map.of("policy_name", "demo", "version", "0", "origin", "rlstream poison"));
        }
        RewardService rewards = new RewardService(new RewardServiceConfig(with(common,
                RewardServiceConfig.STATE_DIR, runDir.resolve("state/rewards").toString())), registry);
        rewards.start();
        services.add(rewards);
        probes.add(new PoisonCheck.Probe(BadRecords.REWARDS, Health.ofStreams("the reward service", rewards::state,
                closing::get)));

        ProcessorsConfig processors = new ProcessorsConfig(with(common,
                ProcessorsConfig.STATE_DIR, runDir.resolve("state/processors").toString(),
                ProcessorsConfig.GROUP_SIZE, "2", ProcessorsConfig.BATCH_GROUPS, "1",
                ProcessorsConfig.MAX_IN_FLIGHT_GROUPS, "2", ProcessorsConfig.MAX_NEW_TOKENS, "4",
                ProcessorsConfig.QUERY_PORT, "0"));
        GroupingApp grouping = new GroupingApp(processors, registry);
        grouping.start();
        services.add(grouping);
        probes.add(new PoisonCheck.Probe(BadRecords.GROUPING, Health.ofStreams("the grouping app", grouping::state,
                closing::get)));
        StepSummaryApp summaries = GroupingApp.stepSummaries(processors, registry);
        summaries.start();
        services.add(summaries);
        probes.add(new PoisonCheck.Probe(BadRecords.STEP_SUMMARY, Health.ofStreams("the step-summary app",
                summaries::state, closing::get)));

        probes.add(thread(BadRecords.TRAINER, new TrainerService(new TrainerServiceConfig(with(common,
                TrainerServiceConfig.CHECKPOINT_DIR, checkpoints.toString(),
                TrainerServiceConfig.INIT, base.toString())), registry), null));
        RolloutWorker worker = new RolloutWorker(new WorkerConfig(with(common, WorkerConfig.WORKER_ID, "poison-worker",
                WorkerConfig.MODEL, base.toString())), registry);
        probes.add(thread(BadRecords.WORKER, worker, worker));

        MetricsPublisher dispatchMetrics = new MetricsPublisher(Dispatcher.SERVICE, processors.clientProps(), catalog,
                processors.serdes(), registry);
        services.add(dispatchMetrics);
        DispatcherService dispatcher = DispatcherService.start(processors, dispatchMetrics, registry);
        services.add(dispatcher);
        probes.add(new PoisonCheck.Probe(BadRecords.DISPATCHER, dispatcher.health()));
    }

    private PoisonCheck.Probe thread(String name, Runnable service, RolloutWorker worker) {
        AtomicReference<Throwable> died = new AtomicReference<>();
        Thread t = new Thread(service, name);
        t.setDaemon(true);
        t.setUncaughtExceptionHandler((th, e) -> died.set(e));
        t.start();
        services.add(() -> {
            if (service instanceof AutoCloseable c) {
                c.close();
            }
            t.join(30_000);
        });
        return new PoisonCheck.Probe(name, Health.ofThread(name, t,
                () -> died.get() != null ? died.get() : worker != null ? worker.failure() : null, closing::get));
    }

    List<PoisonCheck.Probe> probes() {
        return probes;
    }

    Path checkpoints() {
        return checkpoints;
    }

    /** Waits until every service is ready (Streams clients running, threads alive), at most {@code limit}. */
    void awaitReady(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (probes.stream().allMatch(p -> p.check().health().ready())) {
                return;
            }
            Thread.sleep(200);
        }
    }

    @Override
    public void close() {
        closing.set(true);
        for (int i = services.size() - 1; i >= 0; i--) {
            try {
                services.get(i).close();
            } catch (Exception e) {
                System.err.println("rlstream poison: error while stopping a service: " + e);
            }
        }
        services.clear();
    }

    private static Map<String, String> with(Map<String, String> base, String... keyValues) {
        Map<String, String> out = new HashMap<>(base);
        for (int i = 0; i < keyValues.length; i += 2) {
            out.put(keyValues[i], keyValues[i + 1]);
        }
        return out;
    }
}
