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

    /** Failed verifications by reason class (generation-failed, unknown-prompt, verifier-failed). */
    public Map<String, Long> failures() {
        Map<String, Long> out = new java.util.TreeMap<>();
        failures.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
