package io.rlstream.reward.score;

import io.rlstream.reward.compose.OverlongPenalty;
import io.rlstream.reward.compose.RewardComposition;
import io.rlstream.reward.verify.Verification;
import io.rlstream.reward.verify.Verifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One response's reward: the named components the composition asks for, and their weighted sum
 * (docs/algorithms.md#reward-composition-and-overlong-penalty). {@code correctness} comes from the configured verifier, run with a time
 * limit; {@code format} from the format verifier; {@code overlong} from DAPO's soft overlong
 * penalty on the response length in tokens. A component that cannot be computed (the verifier
 * failed, threw or ran out of time) makes the whole reward failed with the reason, never a zero.
 */
public final class RewardScorer {

    public static final String CORRECTNESS = "correctness";
    public static final String FORMAT = "format";
    public static final String OVERLONG = "overlong";

    private final Verifier correctness;
    private final Verifier format;
    private final OverlongPenalty overlong;
    private final RewardComposition composition;
    private final Duration timeout;
    private final ExecutorService executor;

    /**
     * @param format   the format verifier, or null when the composition has no format component
     * @param overlong the overlong penalty, or null when the composition has no overlong component
     * @param executor runs the correctness verifier so that it can be abandoned at the time limit;
     *                 null runs it on the caller's thread without a limit, and so does a verifier
     *                 that is {@linkplain Verifier#bounded() bounded} (it ends by itself, and a
     *                 hand-off to another thread per response cost more than the check)
     */
    public RewardScorer(Verifier correctness, Verifier format, OverlongPenalty overlong, RewardComposition composition,
            Duration timeout, ExecutorService executor) {
        this.correctness = correctness;
        this.format = format;
        this.overlong = overlong;
        this.composition = composition;
        this.timeout = timeout;
        this.executor = executor;
    }

    /**
     * The reward of one response.
     *
     * @param components every component computed, before weighting (also when the reward failed)
     * @param extracted  what the correctness verifier extracted from the response
     * @param reason     why the reward failed, or the verifier's explanation of the score
     * @param millis     time the correctness verifier took
     */
    public record Scored(boolean ok, double score, Map<String, Double> components, String extracted, String reason,
            long millis) {
    }

    /** One response to score: its prompt's text, the response, the reference answer, its length in tokens. */
    public record Input(String prompt, String response, String reference, int responseTokens) {
    }

    public Scored score(String prompt, String response, String reference, int responseTokens) {
        long start = System.nanoTime();
        Verification v = timed(prompt, response, reference);
        long millis = (System.nanoTime() - start) / 1_000_000;
        return compose(v, response, reference, responseTokens, millis);
    }

    /**
     * Several responses scored with one call of the verifier's {@link Verifier#verifyAll} (a remote
     * endpoint takes them as one batch), bounded as a whole by the time limit; one Scored per input,
     * in order. A verifier that answers for the wrong number of responses fails them all.
     */
    public List<Scored> scoreAll(List<Input> inputs) {
        if (inputs.isEmpty()) {
            return List.of();
        }
        List<Verifier.Check> checks = new ArrayList<>(inputs.size());
        for (Input in : inputs) {
            checks.add(new Verifier.Check(in.prompt(), in.response(), in.reference()));
        }
        long start = System.nanoTime();
        List<Verification> vs = timedAll(checks);
        long millis = (System.nanoTime() - start) / 1_000_000;
        List<Scored> out = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            Input in = inputs.get(i);
            out.add(compose(vs.get(i), in.response(), in.reference(), in.responseTokens(), millis));
        }
        return out;
    }

    private Scored compose(Verification v, String response, String reference, int responseTokens, long millis) {
        if (!v.ok()) {
            return new Scored(false, Double.NaN, Map.of(), "", v.reason(), millis);
        }
        Map<String, Double> components = new LinkedHashMap<>();
        components.put(CORRECTNESS, v.score());
        if (format != null) {
            Verification f = format.verify(response, reference);
            if (!f.ok()) {
                return new Scored(false, Double.NaN, components, v.extracted(), "format check failed: " + f.reason(),
                        millis);
            }
            components.put(FORMAT, f.score());
        }
        if (overlong != null) {
            components.put(OVERLONG, overlong.penalty(responseTokens));
        }
        RewardComposition.Result total = composition.combine(components);
        if (!total.ok()) {
            return new Scored(false, Double.NaN, components, v.extracted(), total.reason(), millis);
        }
        return new Scored(true, total.total(), components, v.extracted(), v.reason(), millis);
    }

    private List<Verification> timedAll(List<Verifier.Check> checks) {
        List<Verification> result;
        if (executor == null || correctness.bounded()) {
            result = checkAll(checks);
        } else {
            Future<List<Verification>> pending = executor.submit(() -> checkAll(checks));
            try {
                result = pending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                pending.cancel(true);
                return Collections.nCopies(checks.size(), Verification.failed("verifier " + correctness.name()
                        + " took longer than " + timeout.toMillis() + " ms for a batch of " + checks.size()
                        + " (reward.verifier.timeout.ms)"));
            } catch (ExecutionException e) {
                return Collections.nCopies(checks.size(),
                        Verification.failed("verifier " + correctness.name() + " threw " + e.getCause()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Collections.nCopies(checks.size(),
                        Verification.failed("interrupted while verifier " + correctness.name() + " ran"));
            }
        }
        if (result == null || result.size() != checks.size()) {
            return Collections.nCopies(checks.size(), Verification.failed("verifier " + correctness.name()
                    + " answered " + (result == null ? "nothing" : result.size() + " verifications") + " for "
                    + checks.size() + " responses"));
        }
        return result;
    }

    private List<Verification> checkAll(List<Verifier.Check> checks) {
        try {
            return correctness.verifyAll(checks);
        } catch (RuntimeException | StackOverflowError e) {
            // A deeply nested response can overflow a parser's stack: on the stream thread (a
            // bounded verifier) that would stop the service; it is a failed reward like any other.
            return Collections.nCopies(checks.size(),
                    Verification.failed("verifier " + correctness.name() + " threw " + e));
        }
    }

    private Verification timed(String prompt, String response, String reference) {
        if (executor == null || correctness.bounded()) {
            return check(prompt, response, reference);
        }
        Future<Verification> result = executor.submit(() -> check(prompt, response, reference));
        try {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            result.cancel(true);
            return Verification.failed("verifier " + correctness.name() + " took longer than " + timeout.toMillis()
                    + " ms (reward.verifier.timeout.ms)");
        } catch (ExecutionException e) {
            return Verification.failed("verifier " + correctness.name() + " threw " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Verification.failed("interrupted while verifier " + correctness.name() + " ran");
        }
    }

    private Verification check(String prompt, String response, String reference) {
        try {
            return correctness.verify(prompt, response, reference);
        } catch (RuntimeException | StackOverflowError e) { // see checkAll
            return Verification.failed("verifier " + correctness.name() + " threw " + e);
        }
    }

    /** Only the verifier, weight 1, no time limit: the walking skeleton's scoring, for tests and tools. */
    public static RewardScorer of(Verifier verifier) {
        return new RewardScorer(verifier, null, null, RewardComposition.parse(CORRECTNESS + "=1.0"), Duration.ZERO, null);
    }

    public String verifierName() {
        return correctness.name();
    }
}
