package io.rlstream.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.rlstream.tokens.Tokens;
import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.DeadLetter;
import io.rlstream.events.ScoredSample;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PipelineFixture;
import io.rlstream.trainer.checkpoint.CheckpointStore;
import io.rlstream.trainer.checkpoint.TrainerState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GSPO (rl mode) and NFT and LiPO-λ (group mode) through Kafka: each trainer reads the same
 * committed batch from rl.training-batches on the real broker and registry, dead-letters a record
 * it cannot decode, trains one step and publishes a checkpoint whose step metrics are finite and
 * whose loss is the objective's value, recomputed here in plain double arithmetic from the paper's
 * formula and the initial policy's log-probabilities (docs/algorithms.md#policy-losses,
 * docs/algorithms.md#group-objectives).
 *
 * <p>The batch (TestBatches): two groups, each "46" (reward 1, advantage +0.7071) and "47"
 * (reward 0, advantage −0.7071) after "12+34=", behaviour log-probability −1 on every token. With
 * decoupled PPO off, π_old is that behaviour policy, so the ratios are far from 1 and every term
 * of the objectives is exercised.
 */
class ObjectivesIT {

    private static final TopicCatalog CATALOG = new TopicCatalog("obj.", 1);

    @Test
    void gspoNftAndLipoTrainOnTheBatchesOfTheTopic(@TempDir Path dir) throws Exception {
        Path base = dir.resolve("base");
        double[][] logprobs;
        List<ScoredSample> samples = new ArrayList<>();
        for (TrainingBatchGroup group : TestBatches.batch("b-0", 0)) {
            samples.addAll(group.getSamples());
        }
        try (Policy policy = Policy.create(PolicyConfig.demo(), 1)) {
            policy.save(base, Map.of("origin", "test"));
            logprobs = initialLogprobs(policy, samples);
        }
        try (PipelineFixture pipeline = PipelineFixture.start(CATALOG)) {
            pipeline.sendBytes(Topic.TRAINING_BATCHES, "junk", "not a batch".getBytes(StandardCharsets.UTF_8));
            pipeline.sendAll(Topic.TRAINING_BATCHES, TrainingBatchGroup::getBatchId, TestBatches.batch("b-0", 0));

            Map<String, Double> gspo = trainOneStep(pipeline, dir.resolve("gspo"), base,
                    Map.of("trainer.mode", "rl", "trainer.policy.loss", "gspo"));
            assertEquals(expectedGspo(logprobs, samples), gspo.get("loss"), 1e-4, gspo.toString());

            Map<String, Double> nft = trainOneStep(pipeline, dir.resolve("nft"), base,
                    Map.of("trainer.mode", "group", "trainer.group.objective", "nft"));
            assertEquals(expectedNft(logprobs, samples), nft.get("loss"), 1e-4, nft.toString());

            Map<String, Double> lipo = trainOneStep(pipeline, dir.resolve("lipo"), base,
                    Map.of("trainer.mode", "group", "trainer.group.objective", "lipo-lambda"));
            // the reference is version 0, the initial policy: s = 0 for both responses, ranked by row
            // order; each list's one pair weighs Δ = 1 − 1/log2(3) and costs Δ·log 2; mean over 2 lists
            assertEquals((1 - Math.log(2) / Math.log(3)) * Math.log(2), lipo.get("loss"), 1e-5, lipo.toString());
            assertEquals(2.0, lipo.get("pairs"), 0.0);

            List<DeadLetter> dead = pipeline.readValues(Topic.DEAD_LETTERS, DeadLetter.class, 3, Duration.ofSeconds(30));
            assertEquals(3, dead.size(), "each of the three trainers dead-letters the junk record once");
            assertTrue(dead.stream().allMatch(d -> d.getSourceOffset() == 0));
            List<Long> versions = pipeline.readValues(Topic.CHECKPOINTS, CheckpointPublished.class, 6,
                    Duration.ofSeconds(30)).stream().map(CheckpointPublished::getVersion).toList();
            assertEquals(List.of(0L, 1L, 0L, 1L, 0L, 1L), versions);
        }
    }

    /** Runs a trainer with these settings for one step and returns the checkpoint's step metrics. */
    private static Map<String, Double> trainOneStep(PipelineFixture pipeline, Path checkpoints, Path base,
            Map<String, String> objective) throws InterruptedException {
        Map<String, Object> settings = pipeline.serviceSettings();
        settings.put(TrainerServiceConfig.CHECKPOINT_DIR, checkpoints.toString());
        settings.put(TrainerServiceConfig.INIT, base.toString());
        settings.put(TrainerServiceConfig.MAX_STEPS, "1");
        settings.put(TrainerServiceConfig.UPDATES_PER_BATCH, "1");
        settings.put(TrainerServiceConfig.DECOUPLED, "false");
        settings.putAll(objective);
        Thread t = new Thread(new TrainerService(new TrainerServiceConfig(settings)), "trainer-under-test");
        t.start();
        t.join(120_000);
        assertFalse(t.isAlive(), "the trainer stops after trainer.max.steps");
        TrainerState state = CheckpointStore.readState(new CheckpointStore(checkpoints).latest().orElseThrow());
        assertEquals(1, state.version());
        // junk at 0, the batch at 1..2: the next record to read is 3
        assertEquals(3, state.offsets().get(0).offset());
        for (Map.Entry<String, Double> metric : state.metrics().entrySet()) {
            assertTrue(Double.isFinite(metric.getValue()), objective + ": " + metric);
        }
        return state.metrics();
    }

    /** log π of each response token under the initial policy at temperature 1 (the trainer's default). */
    private static double[][] initialLogprobs(Policy policy, List<ScoredSample> samples) {
        double[][] out = new double[samples.size()][];
        try (NDManager scope = policy.newScope()) {
            for (int i = 0; i < samples.size(); i++) {
                List<int[]> prompts = new ArrayList<>();
                List<int[]> responses = new ArrayList<>();
                prompts.add(Tokens.promptIds(samples.get(i)));
                responses.add(Tokens.responseIds(samples.get(i)));
                float[] lp = policy.responseLogprobs(scope, prompts, responses, 1f, false).logprobs().toFloatArray();
                out[i] = new double[lp.length];
                for (int t = 0; t < lp.length; t++) {
                    out[i][t] = lp[t];
                }
            }
        }
        return out;
    }

    /**
     * GSPO (arXiv 2507.18071): s_i = exp(mean_t(log π − log π_old)), ℓ_i = max(−A·s, −A·clip(s, 1 − 3e-4,
     * 1 + 4e-4)), seq-mean-token-mean = the mean of ℓ_i over the responses.
     */
    private static double expectedGspo(double[][] logprobs, List<ScoredSample> samples) {
        double sum = 0;
        for (int i = 0; i < samples.size(); i++) {
            double mean = 0;
            for (int t = 0; t < logprobs[i].length; t++) {
                mean += (logprobs[i][t] - Tokens.logprobs(samples.get(i))[t]) / logprobs[i].length;
            }
            double s = Math.exp(mean);
            double a = samples.get(i).getAdvantage();
            sum += Math.max(-a * s, -a * Math.min(Math.max(s, 1 - 3e-4), 1 + 4e-4));
        }
        return sum / samples.size();
    }

    /**
     * NFT (arXiv 2505.18116, NVlabs' dp_actor.py): per group r̂ = mean correctness (1 and 0: 0.5),
     * R_t = exp(min(log π − log π_old, 10)), ℓ_t = (1 − r̂)·(c·(−log R_t) + (1 − c)·(−log max((1 − r̂R_t)/(1 − r̂), 1))),
     * token-mean over the batch's tokens.
     */
    private static double expectedNft(double[][] logprobs, List<ScoredSample> samples) {
        double rate = 0.5;
        double sum = 0;
        int tokens = 0;
        for (int i = 0; i < samples.size(); i++) {
            double c = samples.get(i).getReward();
            for (int t = 0; t < logprobs[i].length; t++) {
                double r = Math.exp(Math.min(logprobs[i][t] - Tokens.logprobs(samples.get(i))[t], 10));
                double positive = -Math.log(r);
                double negative = -Math.log(Math.max((1 - rate * r) / (1 - rate), 1));
                sum += (1 - rate) * (c * positive + (1 - c) * negative);
                tokens++;
            }
        }
        return sum / tokens;
    }
}
