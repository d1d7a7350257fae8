package io.rlstream.reward.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.reward.compose.OverlongPenalty;
import io.rlstream.reward.compose.RewardComposition;
import io.rlstream.reward.verify.FormatVerifier;
import io.rlstream.reward.verify.Verification;
import io.rlstream.reward.verify.Verifier;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** Scoring a batch: one verifier call, the components composed per response, failures never zeros. */
class RewardScorerBatchTest {

    /** Scores 1 when the response contains the reference; answers {@code drop} verifications too few. */
    private record Contains(int drop, long sleepMillis) implements Verifier {
        @Override
        public String name() {
            return "contains";
        }

        @Override
        public Verification verify(String response, String reference) {
            return Verification.scored(response.contains(reference) ? 1 : 0, "", "");
        }

        @Override
        public List<Verification> verifyAll(List<Check> checks) {
            try {
                Thread.sleep(sleepMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            List<Verification> all = Verifier.super.verifyAll(checks);
            return all.subList(0, all.size() - drop);
        }
    }

    private static final List<RewardScorer.Input> INPUTS = List.of(
            new RewardScorer.Input("q", "<answer>42</answer>", "42", 10),
            new RewardScorer.Input("q", "41", "42", 30));

    @Test
    void eachResponseGetsItsOwnComponentsFromOneBatchCall() {
        // correctness=1, format=0.5, overlong=1 with L_max = 20, L_c = 10: 10 tokens → 0; 30 tokens → −1.
        RewardScorer scorer = new RewardScorer(new Contains(0, 0), new FormatVerifier("<answer>", "</answer>"),
                new OverlongPenalty(20, 10, 1.0), RewardComposition.parse("correctness=1,format=0.5,overlong=1"),
                Duration.ofSeconds(5), null);
        List<RewardScorer.Scored> out = scorer.scoreAll(INPUTS);
        // 1·1 + 0.5·1 + 1·0 = 1.5;  1·0 + 0.5·0 + 1·(−1) = −1.
        assertEquals(1.5, out.get(0).score(), 1e-12);
        assertEquals(-1.0, out.get(1).score(), 1e-12);
    }

    @Test
    void aVerifierThatAnswersForTooFewResponsesFailsThemAll() {
        List<RewardScorer.Scored> out = RewardScorer.of(new Contains(1, 0)).scoreAll(INPUTS);
        for (RewardScorer.Scored s : out) {
            assertFalse(s.ok());
            assertTrue(s.reason().contains("answered 1 verifications for 2 responses"), s.reason());
        }
    }

    @Test
    void theTimeLimitBoundsTheWholeBatch() {
        ExecutorService executor = Executors.newCachedThreadPool();
        try {
            RewardScorer scorer = new RewardScorer(new Contains(0, 2_000), null, null,
                    RewardComposition.parse("correctness=1"), Duration.ofMillis(100), executor);
            for (RewardScorer.Scored s : scorer.scoreAll(INPUTS)) {
                assertFalse(s.ok());
                assertTrue(s.reason().contains("longer than 100 ms for a batch of 2"), s.reason());
            }
        } finally {
            executor.shutdownNow();
        }
    }
}
