package io.rlstream.processors.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.Prompt;
import io.rlstream.events.PromptDispatch;
import io.rlstream.events.PromptStats;
import io.rlstream.processors.config.ProcessorsConfig;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PipelineFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * AReaL's admission on a real broker: with η = 0 and B = 2 the dispatcher sends one batch's
 * groups, then nothing until the trainer's next version appears on rl.checkpoints; the counts it
 * decides on (accepted from rl.prompt-stats, dispatched from rl.prompt-dispatch) survive a restart.
 * A stand-in for the grouping app answers each dispatched group as resolved and kept.
 */
class StalenessAdmissionIT {

    private static final TopicCatalog CATALOG = TopicCatalog.defaults();

    @RegisterExtension
    final PipelineFixture pipeline = PipelineFixture.extension(CATALOG);
    @TempDir
    Path stateDir;

    private ProcessorsConfig config() {
        Map<String, Object> c = pipeline.serviceSettings();
        c.put("processors.state.dir", stateDir.toString());
        c.put("dispatch.max-staleness", "0");
        c.put("batch.groups", "2");
        c.put("group.size", "2");
        c.put("dispatch.max-in-flight-groups", "100");
        c.put("dispatch.query.port", "-1");
        return new ProcessorsConfig(c);
    }

    /** Reads new dispatches for {@code time} and answers each with stats saying its group was kept; returns them. */
    private List<PromptDispatch> answer(KafkaConsumer<String, PromptDispatch> dispatches,
            KafkaProducer<String, PromptStats> stats, Map<String, Long> groups, Duration time) {
        List<PromptDispatch> seen = new ArrayList<>();
        long end = System.currentTimeMillis() + time.toMillis();
        while (System.currentTimeMillis() < end) {
            dispatches.poll(Duration.ofMillis(100)).forEach(r -> {
                PromptDispatch d = r.value();
                seen.add(d);
                long n = groups.merge(d.getPromptId(), 1L, Long::sum);
                stats.send(new ProducerRecord<>(CATALOG.name(Topic.PROMPT_STATS), d.getPromptId(), PromptStats.newBuilder()
                        .setPromptId(d.getPromptId()).setSamples(2 * n).setGroups(n).setKeptGroups(n).setPassRate(0.5)
                        .setMovingAverage(0.5).setLastPolicyVersion(0).setUpdatedAt(Instant.now())
                        .setLastGroupId(d.getGroupId()).setLastGroupSamples(2).setLastGroupMeanReward(0.5).build()));
            });
            stats.flush();
        }
        return seen;
    }

    @Test
    void synchronousAdmissionWaitsForEachVersionAlsoAcrossARestart() throws Exception {
        pipeline.sendAll(Topic.PROMPTS, Prompt::getPromptId, List.of("a", "b", "c").stream()
                .map(id -> Prompt.newBuilder().setPromptId(id).setText(id).setCreatedAt(Instant.now()).build()).toList());
        Map<String, Long> groups = new HashMap<>();
        try (KafkaConsumer<String, PromptDispatch> dispatches = pipeline.consumer(PromptDispatch.class, "stand-in");
                KafkaProducer<String, PromptStats> stats = pipeline.producer(PromptStats.class)) {
            dispatches.subscribe(List.of(CATALOG.name(Topic.PROMPT_DISPATCH)));
            DispatcherService first = DispatcherService.start(config(), null);
            // v = 0: (0 + 0 + 1) * 2 = 2 groups, both kept; then nothing, however long we wait
            List<PromptDispatch> round1 = answer(dispatches, stats, groups, Duration.ofSeconds(6));
            assertEquals(2, round1.size(), "one batch of B = 2 groups at v0");
            assertTrue(round1.stream().allMatch(d -> d.getPolicyVersion() == 0));
            first.close();

            // a restart counts the 2 accepted groups from the topics and still waits for v1
            DispatcherService second = DispatcherService.start(config(), null);
            try {
                assertEquals(List.of(), answer(dispatches, stats, groups, Duration.ofSeconds(4)), "still v0: nothing");
                pipeline.send(Topic.CHECKPOINTS, "demo", CheckpointPublished.newBuilder().setPolicyName("demo")
                        .setVersion(1).setUri("file:/v1").setStep(1).setCreatedAt(Instant.now()).build());
                // v = 1: (0 + 1 + 1) * 2 - 2 accepted = 2 more, dispatched at v1
                List<PromptDispatch> round2 = answer(dispatches, stats, groups, Duration.ofSeconds(5));
                assertEquals(2, round2.size(), "the next batch after v1");
                assertTrue(round2.stream().allMatch(d -> d.getPolicyVersion() == 1), round2.toString());
                assertEquals(4, second.dispatcher().snapshot().dispatched());
            } finally {
                second.close();
            }
        }
    }
}
