package io.rlstream.reward.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.reward.compose.OverlongPenalty;
import io.rlstream.reward.compose.RewardComposition;
import io.rlstream.reward.verify.NumericExactMatch;
import io.rlstream.reward.sandbox.SandboxLimits;
import io.rlstream.reward.verify.RemoteSettings;
import io.rlstream.reward.verify.Verification;
import io.rlstream.reward.verify.Verifier;
import io.rlstream.reward.verify.VerifierSettings;
import io.rlstream.reward.verify.Verifiers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The reward as a weighted sum of named components, with the verifier on a time limit. */
class RewardScorerTest {

    private final ExecutorService executor = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    /** 1 when the response contains {@code <answer>}, else 0: a stand-in for the format verifier. */
    private static final Verifier TAGGED = new Verifier() {
        @Override
        public String name() {
            return "tagged";
        }

        @Override
        public Verification verify(String response, String reference) {
            return Verification.scored(response.contains("<answer>") ? 1 : 0, "", "");
        }
    };

    private static Verifier slow(Duration pause) {
        return new Verifier() {
            @Override
            public String name() {
                return "slow";
            }

            @Override
            public Verification verify(String response, String reference) {
                try {
                    Thread.sleep(pause.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Verification.scored(1, "", "");
            }
        };
    }

    @Test
    void theRewardIsTheWeightedSumOfItsComponentsAndKeepsEachOne() {
        // correctness 1 (85 = 85), format 1 (tagged), overlong with L_max 20, L_c 4 at 18 tokens:
        // ((20 − 4) − 18) / 4 = −0.5.  Total 1.0·1 + 0.1·1 + 1.0·(−0.5) = 0.6
        RewardScorer scorer = new RewardScorer(new NumericExactMatch(1, 0), TAGGED, new OverlongPenalty(20, 4, 1.0),
                RewardComposition.parse("correctness=1.0,format=0.1,overlong=1.0"), Duration.ofSeconds(5), executor);
        RewardScorer.Scored s = scorer.score("37+48=", "<answer>85</answer>", "85", 18);
        assertTrue(s.ok(), s.reason());
        assertEquals(0.6, s.score(), 1e-12);
        assertEquals(Map.of("correctness", 1.0, "format", 1.0, "overlong", -0.5), s.components());
        assertEquals("85", s.extracted());
    }

    /** Records the thread it ran on; bounded or not as asked. */
    private static class WhereItRan implements Verifier {
        private final boolean bounded;
        private volatile String thread;

        WhereItRan(boolean bounded) {
            this.bounded = bounded;
        }

        @Override
        public String name() {
            return "where-it-ran";
        }

        @Override
        public boolean bounded() {
            return bounded;
        }

        @Override
        public Verification verify(String response, String reference) {
            thread = Thread.currentThread().getName();
            return Verification.scored(response.equals(reference) ? 1 : 0, response, "");
        }
    }

    @Test
    void aBoundedVerifierRunsOnTheCallersThreadAndAnyOtherOnTheTimeLimitsThread() {
        RewardComposition composition = RewardComposition.parse("correctness=1.0");
        String caller = Thread.currentThread().getName();
        WhereItRan bounded = new WhereItRan(true);
        RewardScorer.Scored one = new RewardScorer(bounded, null, null, composition, Duration.ofSeconds(5), executor)
                .score("", "7", "7", 1);
        assertEquals(1.0, one.score());
        assertEquals(caller, bounded.thread, "no hand-off for a verifier that ends by itself");
        WhereItRan open = new WhereItRan(false);
        RewardScorer.Scored other = new RewardScorer(open, null, null, composition, Duration.ofSeconds(5), executor)
                .score("", "7", "8", 1);
        assertEquals(0.0, other.score());
        assertNotEquals(caller, open.thread, "a verifier that may hang runs where it can be abandoned");
        // The same for a batch (scoreAll, the remote endpoint's path).
        WhereItRan batch = new WhereItRan(true);
        new RewardScorer(batch, null, null, composition, Duration.ofSeconds(5), executor)
                .scoreAll(List.of(new RewardScorer.Input("", "1", "1", 1)));
        assertEquals(caller, batch.thread);
    }

    @Test
    void aBoundedVerifierThatOverflowsItsStackGivesAFailedRewardAndTheCallerGoesOn() {
        Verifier deep = new WhereItRan(true) {
            @Override
            public Verification verify(String response, String reference) {
                throw new StackOverflowError();
            }
        };
        RewardScorer scorer = new RewardScorer(deep, null, null, RewardComposition.parse("correctness=1.0"),
                Duration.ofSeconds(5), executor);
        RewardScorer.Scored one = scorer.score("", "((((1))))", "1", 1);
        assertFalse(one.ok());
        assertTrue(Double.isNaN(one.score()));
        assertTrue(one.reason().contains("StackOverflowError"), one.reason());
        List<RewardScorer.Scored> batch = scorer.scoreAll(List.of(new RewardScorer.Input("", "x", "1", 1)));
        assertFalse(batch.get(0).ok());
        assertTrue(batch.get(0).reason().contains("StackOverflowError"), batch.get(0).reason());
    }

    @Test
    void theBuiltInCheckersAreBoundedAndTheVerifiersThatCanBlockAreNot() {
        RemoteSettings none = RemoteSettings.none();
        VerifierSettings settings = new VerifierSettings(1.0, 0.0, false, "<answer>", "</answer>",
                SandboxLimits.defaults(), "http://127.0.0.1:9/score", Duration.ofSeconds(1), 1,
                new RemoteSettings("http://127.0.0.1:9/reward", none.authHeader(), "", none.batchSize(), none.linger(),
                        none.timeout(), none.attempts()));
        ClassLoader loader = getClass().getClassLoader();
        for (String name : List.of("numeric-exact", "math", "exact", "regex")) {
            assertTrue(Verifiers.create(name, settings, loader).bounded(), name);
        }
        // A sandboxed program, an HTTP endpoint and a plug-in's own code keep the time limit.
        for (String name : List.of("code-python", "reward-model", "remote")) {
            assertFalse(Verifiers.create(name, settings, loader).bounded(), name);
        }
        assertFalse(slow(Duration.ZERO).bounded(), "a plug-in is not bounded unless it says so");
    }

    @Test
    void aVerifierThatRunsPastTheLimitGivesAFailedRewardNotAZero() {
        RewardScorer scorer = new RewardScorer(slow(Duration.ofSeconds(5)), null, null,
                RewardComposition.parse("correctness=1.0"), Duration.ofMillis(200), executor);
        long start = System.nanoTime();
        RewardScorer.Scored s = scorer.score("", "anything", "1", 1);
        assertFalse(s.ok());
        assertTrue(Double.isNaN(s.score()));
        assertTrue(s.reason().contains("longer than 200 ms"), s.reason());
        assertTrue((System.nanoTime() - start) / 1e9 < 2, "abandoned at the limit, not after the verifier");
    }

    @Test
    void aVerifierThatThrowsGivesAFailedRewardWithTheException() {
        Verifier broken = new Verifier() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public Verification verify(String response, String reference) {
                throw new IllegalStateException("parser exploded");
            }
        };
        RewardScorer.Scored s = RewardScorer.of(broken).score("", "x", "1", 1);
        assertFalse(s.ok());
        assertTrue(s.reason().contains("parser exploded"), s.reason());
    }

    @Test
    void aFailedCheckIsNeverAZeroEvenWithOtherComponents() {
        // numeric-exact cannot check against a reference that is not a number: FAILED, whatever the format says
        RewardScorer scorer = new RewardScorer(new NumericExactMatch(1, 0), TAGGED, null,
                RewardComposition.parse("correctness=1.0,format=0.1"), Duration.ofSeconds(5), executor);
        RewardScorer.Scored s = scorer.score("", "<answer>85</answer>", "eighty-five", 2);
        assertFalse(s.ok());
        assertTrue(s.reason().contains("not a number"), s.reason());
    }

    @Test
    void aVerifierThatJudgesInContextGetsThePrompt() {
        // A reward model scores a response for its prompt: the scorer must hand the prompt over.
        Verifier inContext = new Verifier() {
            @Override
            public String name() {
                return "in-context";
            }

            @Override
            public Verification verify(String response, String reference) {
                return Verification.failed("called without the prompt");
            }

            @Override
            public Verification verify(String prompt, String response, String reference) {
                return Verification.scored(prompt.equals("37+48=") ? 1 : 0, "", "saw " + prompt);
            }
        };
        RewardScorer.Scored s = new RewardScorer(inContext, null, null, RewardComposition.parse("correctness=1.0"),
                Duration.ofSeconds(5), executor).score("37+48=", "85", null, 1);
        assertTrue(s.ok(), s.reason());
        assertEquals(1.0, s.score());
    }
}
