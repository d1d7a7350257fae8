package io.rlstream.reward.stream;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the reward topology, read by the service to publish metrics. */
public final class RewardStats {

    private final LongAdder scored = new LongAdder();
    private final LongAdder correct = new LongAdder();
    private final LongAdder deadLetters = new LongAdder();
    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();

    void scored(boolean isCorrect) {
        scored.increment();
        if (isCorrect) {
            correct.increment();
        }
    }

    void failed(String reason) {
        failures.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    private final LongAdder latencyMillis = new LongAdder();
    private final java.util.concurrent.atomic.LongAccumulator latencyMax =
            new java.util.concurrent.atomic.LongAccumulator(Math::max, 0);
    private final java.util.concurrent.atomic.DoubleAdder scoreSum = new java.util.concurrent.atomic.DoubleAdder();

    private final LongAdder verifications = new LongAdder();

    private volatile java.util.function.LongConsumer latencyObserver = ms -> { };

    /** Also hands each verification's latency in ms to {@code observer} (the Prometheus histogram). */
    public void observeLatencies(java.util.function.LongConsumer observer) {
        this.latencyObserver = observer;
    }

    void latency(long millis) {
        latencyObserver.accept(millis);
        verifications.increment();
        latencyMillis.add(millis);
        latencyMax.accumulate(millis);
    }

    void score(double value) {
        scores.increment();
        scoreSum.add(value);
    }

    /** Mean time a verification took, over all verifications since start (0 before the first). */
    public double meanLatencyMillis() {
        long n = verifications.sum();
        return n == 0 ? 0 : (double) latencyMillis.sum() / n;
    }

    public long maxLatencyMillis() {
        return latencyMax.get();
    }

    private final LongAdder scores = new LongAdder();

    /** Mean total score of the OK rewards from verifiers since start (NaN before the first). */
    public double meanScore() {
        long n = scores.sum();
        return n == 0 ? Double.NaN : scoreSum.sum() / n;
    }

    void deadLetter() {
        deadLetters.increment();
    }

    public long scored() {
        return scored.sum();
    }

    public long correct() {
        return correct.sum();
    }

    public long deadLetters() {
        return deadLetters.sum();
    }

    /** Failed verifications by reason class (unusable-rollout, generation-failed, unknown-prompt, verifier-failed). */
    public Map<String, Long> failures() {
        Map<String, Long> out = new java.util.TreeMap<>();
        failures.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
