package io.rlstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.demo.Demo;
import io.rlstream.demo.DemoSettings;
import io.rlstream.events.Metric;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.monitoring.metrics.MetricCatalog;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.KafkaFixture;
import io.rlstream.testkit.RegistryFixture;
import io.rlstream.trainer.service.TrainerServiceConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rlstream demo --generator serve} for a short run on the real broker and registry: the
 * rollouts come from {@code rlstream serve} in a child JVM over HTTP, every checkpoint is synced
 * to it, and the child is gone once the demo stops. Not a learning test (DemoLoopIT is): it checks
 * the path, with a small batch (B = 4) so that a few steps fit in the budget.
 */
class DemoServeGeneratorIT {

    @Test
    void theDemoGeneratesThroughRlstreamServeInItsOwnProcessAndStopsIt(@TempDir Path runDir) throws Exception {
        DemoSettings settings = DemoSettings.defaults(runDir).withBudget(Duration.ofSeconds(30)).withTarget(1.0)
                .withBatchGroups(4).withGenerator(DemoSettings.Generator.SERVE)
                // every checkpoint kept: at a few versions a second the trainer's retention (5) can delete
                // a folder while the server loads it, a failed sync the worker survives but this test counts
                .withTrainerSettings(Map.of(TrainerServiceConfig.KEEP, "1000"));
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(new TeeStream(console, System.out), true, StandardCharsets.UTF_8);
        Demo.Result result;
        Demo demo;
        List<Metric> metrics;
        List<Rollout> rollouts;
        try (KafkaFixture kafka = KafkaFixture.start()) {
            demo = new Demo(settings, kafka.bootstrapServers(), RegistryFixture.url(), out).dashboardPort(-1);
            result = demo.run();
            metrics = DemoLoopIT.readAll(kafka, TopicCatalog.defaults().name(Topic.METRICS), Metric.class);
            rollouts = DemoLoopIT.readAll(kafka, TopicCatalog.defaults().name(Topic.ROLLOUTS), Rollout.class);
        }
        String log = console.toString(StandardCharsets.UTF_8);
        assertTrue(result.steps() >= 2, "a few training steps in the budget: " + result.steps() + "\n" + log);

        // The server's own answer at the end (GET /get_model_info): it loaded checkpoints the trainer published.
        Matcher served = Pattern.compile("weight version (\\d+) at the end").matcher(result.generator());
        assertTrue(result.generator().startsWith("serve (rlstream serve at http://127.0.0.1:") && served.find(),
                result.generator());
        assertTrue(Long.parseLong(served.group(1)) >= 1, "the server was synced past the base policy: " + result.generator());
        assertTrue(Files.readString(runDir.resolve("summary.txt")).contains("generator: serve (rlstream serve at"));

        // The worker synced through the server (these metrics are published only by a remote sync) ...
        List<Metric> syncs = metrics.stream().filter(m -> m.getName().equals(MetricCatalog.WORKER_WEIGHT_SYNC_SECONDS.name()))
                .toList();
        assertFalse(syncs.isEmpty(), "worker.weight_sync_seconds published");
        assertTrue(syncs.stream().allMatch(m -> "ok".equals(m.getTags().get("outcome"))), "every sync ok: " + syncs);
        assertTrue(metrics.stream().anyMatch(m -> m.getName().equals(MetricCatalog.WORKER_SERVED_VERSION.name())
                && m.getValue() >= 1), "worker.served_version reached 1 or more");
        // ... and rollouts generated after a sync carry the version the server reported.
        assertTrue(rollouts.stream().anyMatch(r -> r.getStatus() == SampleStatus.OK && r.getPolicyVersion() >= 1),
                "rollouts tagged with a synced version");
        assertEquals(0, rollouts.stream().filter(r -> r.getStatus() == SampleStatus.FAILED).count(),
                "no failed generations");

        // The server's log is in the run folder and the child is gone.
        assertTrue(Files.readString(runDir.resolve("generator.log")).contains("rlstream serve:"), "the serve address line");
        long pid = demo.generatorPid().orElseThrow();
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "rlstream serve (pid " + pid + ") stopped");
    }
}
