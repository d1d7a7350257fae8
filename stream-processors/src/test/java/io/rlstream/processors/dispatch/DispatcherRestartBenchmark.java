package io.rlstream.processors.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.Prompt;
import io.rlstream.events.PromptDispatch;
import io.rlstream.events.PromptStats;
import io.rlstream.events.ScoredSample;
import io.rlstream.events.TopicPartitionOffset;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.processors.ProcessorsFixture;
import io.rlstream.processors.config.ProcessorsConfig;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PipelineFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restart time of the dispatcher against the length of its history (issue 19), old (every start
 * reads all of rl.prompt-dispatch, rl.checkpoints and rl.training-batches) against new (the state on
 * rl.dispatcher-state, then what came after it). Not part of the build (no Test/IT suffix); run it
 * with
 * {@code nice -n 19 mvn -B -o test -pl stream-processors -am -Dtest=DispatcherRestartBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false -Drestart.histories=1000,10000,50000}.
 * For each history length N it writes, on a fresh in-process broker: N dispatched groups over 200
 * prompts, all resolved but the 32 in flight (one latest rl.prompt-stats record per prompt, as after
 * compaction), N/16 checkpoints and N/16 batches of 16 records (one per group; 2 samples of 32
 * prompt and 64 response tokens each, about 1 KB). Both starts find the in-flight cap full, so
 * neither dispatches; the table (stdout and target/dispatcher-restart.md) gives the time from the
 * start to having read every input, and the records read.
 */
class DispatcherRestartBenchmark {

    private static final int PROMPTS = 200;
    private static final int CAP = 32;
    private static final int BATCH = 16;

    @TempDir
    Path stateDir;

    @Test
    void restartTimeAgainstHistoryLength() throws Exception {
        List<Integer> histories = Arrays.stream(System.getProperty("restart.histories", "1000,10000").split(","))
                .map(String::trim).map(Integer::parseInt).toList();
        StringBuilder table = new StringBuilder("| dispatched groups | old: ms | old: records read | new: ms | new: records read |\n"
                + "|---:|---:|---:|---:|---:|\n");
        for (int n : histories) {
            try (PipelineFixture pipeline = PipelineFixture.start(new TopicCatalog("h" + n + ".", 4))) {
                writeHistory(pipeline, n);
                ProcessorsConfig config = ProcessorsFixture.config(pipeline, stateDir.resolve("h" + n), Map.of(
                        "group.size", "2", "dispatch.max-in-flight-groups", Integer.toString(CAP),
                        "dispatch.query.port", "-1"));
                Dispatcher.Restart old = startAndStop(config, true);
                startAndStop(config, false); // the first start on this cluster: reads the history once, writes the state
                Dispatcher.Restart now = startAndStop(config, false);
                assertTrue(now.fromState(), now.toString());
                table.append(String.format("| %,d | %,d | %,d | %,d | %,d |%n", n, old.millis(), old.totalRecords(),
                        now.millis(), now.totalRecords()));
                System.out.println("N=" + n + " old " + old + "\n      new " + now);
            }
        }
        System.out.println(table);
        Files.writeString(Path.of("target", "dispatcher-restart.md"), table);
    }

    private static Dispatcher.Restart startAndStop(ProcessorsConfig config, boolean readHistory) throws Exception {
        Dispatcher d = new Dispatcher(config, null);
        if (readHistory) {
            d.readHistory();
        }
        Thread t = new Thread(d, "dispatcher-under-test");
        t.start();
        ProcessorsFixture.await(() -> d.restart() != null, Duration.ofMinutes(5), "caught up");
        d.stop();
        t.join(60_000);
        assertEquals(CAP, d.restart().counts().inFlight(), "the cap is full: nothing is dispatched");
        return d.restart();
    }

    private static void writeHistory(PipelineFixture pipeline, int n) {
        List<Prompt> prompts = new ArrayList<>();
        for (int p = 0; p < PROMPTS; p++) {
            prompts.add(Prompt.newBuilder().setPromptId("p" + p).setText("prompt " + p).setCreatedAt(Instant.EPOCH).build());
        }
        pipeline.sendAll(Topic.PROMPTS, Prompt::getPromptId, prompts);
        long[] dispatchedOf = new long[PROMPTS];
        Instant now = Instant.now();
        try (KafkaProducer<String, PromptDispatch> out = pipeline.producer(PromptDispatch.class)) {
            for (int g = 0; g < n; g++) {
                int p = g % PROMPTS;
                dispatchedOf[p]++;
                String id = "old-" + g;
                out.send(new ProducerRecord<>(pipeline.topic(Topic.PROMPT_DISPATCH), id, PromptDispatch.newBuilder()
                        .setGroupId(id).setPromptId("p" + p).setPromptText("prompt " + p).setGroupSize(2)
                        .setDispatchedAt(now).build()));
            }
        }
        // all resolved but the last CAP dispatched (the last CAP groups go to CAP distinct prompts)
        List<PromptStats> stats = new ArrayList<>();
        for (int p = 0; p < PROMPTS; p++) {
            long open = 0;
            for (int g = Math.max(0, n - CAP); g < n; g++) {
                open += g % PROMPTS == p ? 1 : 0;
            }
            long resolved = dispatchedOf[p] - open;
            stats.add(PromptStats.newBuilder().setPromptId("p" + p).setSamples(2 * resolved).setGroups(resolved)
                    .setKeptGroups(resolved).setPassRate(0.5).setMovingAverage(0.5).setLastPolicyVersion(0)
                    .setUpdatedAt(Instant.EPOCH).build());
        }
        pipeline.sendAll(Topic.PROMPT_STATS, PromptStats::getPromptId, stats);
        List<Integer> promptTokens = Collections.nCopies(32, 17);
        List<Integer> responseTokens = Collections.nCopies(64, 4242);
        List<Float> logprobs = Collections.nCopies(64, -0.5f);
        try (KafkaProducer<String, TrainingBatchGroup> batches = pipeline.producer(TrainingBatchGroup.class);
                KafkaProducer<String, CheckpointPublished> checkpoints = pipeline.producer(CheckpointPublished.class)) {
            for (int b = 0; b < n / BATCH; b++) {
                for (int i = 0; i < BATCH; i++) {
                    List<ScoredSample> samples = new ArrayList<>();
                    for (int s = 0; s < 2; s++) {
                        samples.add(ScoredSample.newBuilder().setRolloutId("r" + b + "-" + i + "-" + s)
                                .setPromptTokenIds(promptTokens).setResponseTokenIds(responseTokens)
                                .setBehaviourLogprobs(logprobs).setReward(1.0).setAdvantage(0.5f).setPolicyVersion(b)
                                .build());
                    }
                    batches.send(new ProducerRecord<>(pipeline.topic(Topic.TRAINING_BATCHES), "batch-" + b,
                            TrainingBatchGroup.newBuilder().setBatchId("batch-" + b).setBatchSequence(b).setGroupIndex(i)
                                    .setBatchGroups(BATCH).setBatchSamples(2 * BATCH).setMinPolicyVersion(b)
                                    .setMaxPolicyVersion(b).setFilterStats(Map.of()).setGroupId("old-" + (b * BATCH + i))
                                    .setPromptId("p0").setEstimator("grpo").setSamples(samples)
                                    .setCreatedAt(Instant.EPOCH).build()));
                }
                checkpoints.send(new ProducerRecord<>(pipeline.topic(Topic.CHECKPOINTS), "policy",
                        CheckpointPublished.newBuilder().setPolicyName("policy").setVersion(b + 1).setUri("file:/v" + (b + 1))
                                .setStep(b + 1).setOffsets(List.of(new TopicPartitionOffset("rl.training-batches", 0, (long) b + 1))).setCreatedAt(Instant.EPOCH).build()));
            }
        }
    }
}
