package io.rlstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.FinishReason;
import io.rlstream.events.Reward;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.rollouts.RolloutSummaries;
import io.rlstream.schemas.Topic;
import io.rlstream.testkit.PipelineFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

/** {@code rlstream replay} over rollouts and rewards recorded on a real broker, as a user runs it. */
class ReplayIT {

    @Test
    void replayWritesTheGivenConfigurationsBatchesUnderItsPrefixAndStops() throws Exception {
        try (PipelineFixture pipeline = PipelineFixture.start()) {
            // recorded: 4 groups of G = 2 with rewards [1, 0], each reward with its rollout's summary and
            // position, as the reward service writes them (the replay reads rl.rewards only, issue 18)
            try (KafkaProducer<String, Rollout> rollouts = pipeline.producer(Rollout.class)) {
                for (int g = 0; g < 4; g++) {
                    String group = "recorded-" + g;
                    for (int i = 0; i < 2; i++) {
                        Rollout rollout = Rollout.newBuilder()
                                .setRolloutId(group + "/" + i).setGroupId(group).setPromptId("p" + g).setSampleIndex(i)
                                .setGroupSize(2).setPromptTokenIds(List.of(1)).setResponseTokenIds(List.of(4, 5))
                                .setBehaviourLogprobs(List.of(-0.1f, -0.2f)).setResponseText("x").setPolicyVersion(3)
                                .setFinishReason(FinishReason.STOP).setStatus(SampleStatus.OK)
                                .setGeneratedAt(Instant.now()).build();
                        RecordMetadata at = rollouts.send(new ProducerRecord<>(pipeline.topic(Topic.ROLLOUTS), group,
                                rollout)).get();
                        pipeline.send(Topic.REWARDS, group, Reward.newBuilder()
                                .setRolloutId(group + "/" + i).setGroupId(group).setPromptId("p" + g)
                                .setScore(1 - i).setStatus(SampleStatus.OK).setVerifier("it")
                                .setScoredAt(Instant.now())
                                .setRollout(RolloutSummaries.of(rollout, at.partition(), at.offset())).build());
                    }
                }
            }
            Path state = Files.createTempDirectory(Path.of("target"), "replay-state-");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = Rlstream.run(List.of("replay", "--application-id", "replay-drgrpo", "--output-prefix", "r1.",
                            "--bootstrap-server", pipeline.bootstrapServers(), "--registry-url", pipeline.registryUrl(),
                            "--set", "batch.groups=2", "--set", "group.size=2", "--set", "advantage.estimator=drgrpo",
                            "--set", "processors.state.dir=" + state, "--idle-seconds", "2"),
                    new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
            String text = out.toString(StandardCharsets.UTF_8);
            assertEquals(0, code, text);
            assertTrue(text.contains("done: 2 batches on r1.training-batches"), text);
            assertTrue(text.contains("8 records on " + pipeline.topic(Topic.REWARDS) + " -> r1.training-batches"), text);

            List<TrainingBatchGroup> batches = pipeline.readValues("r1.training-batches", TrainingBatchGroup.class, 4,
                    Duration.ofSeconds(15));
            assertEquals(4, batches.size());
            // Dr.GRPO: r - mean = [0.5, -0.5], no division by the std
            assertEquals(List.of(0.5f, -0.5f), batches.get(0).getSamples().stream().map(s -> s.getAdvantage()).toList());
            assertEquals("drgrpo", batches.get(0).getEstimator());
        }
    }
}
