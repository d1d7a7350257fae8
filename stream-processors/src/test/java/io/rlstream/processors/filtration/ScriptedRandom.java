package io.rlstream.processors.filtration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.random.RandomGenerator;

/** A RandomGenerator that returns scripted values, so tests can state which draw gives which sample. */
final class ScriptedRandom implements RandomGenerator {

    private final Deque<Object> script = new ArrayDeque<>();
    private final int expectedBound;

    private ScriptedRandom(int expectedBound) {
        this.expectedBound = expectedBound;
    }

    /** nextInt(bound) returns these values in order; the bound must be {@code expectedBound}. */
    static ScriptedRandom intsOf(int expectedBound, int... values) {
        ScriptedRandom r = new ScriptedRandom(expectedBound);
        for (int v : values) {
            r.script.add(v);
        }
        return r;
    }

    /** nextDouble() returns these values in order. */
    static ScriptedRandom doublesOf(double... values) {
        ScriptedRandom r = new ScriptedRandom(-1);
        for (double v : values) {
            r.script.add(v);
        }
        return r;
    }

    /** Fails on any draw: for code that must not use randomness. */
    static ScriptedRandom noDraws() {
        return new ScriptedRandom(-1);
    }

    boolean exhausted() {
        return script.isEmpty();
    }

    @Override
    public int nextInt(int bound) {
        assertEquals(expectedBound, bound, "bound of nextInt");
        return (Integer) next();
    }

    @Override
    public double nextDouble() {
        return (Double) next();
    }

    @Override
    public long nextLong() {
        throw new AssertionError("unexpected nextLong()");
    }

    private Object next() {
        if (script.isEmpty()) {
            throw new AssertionError("more draws than scripted");
        }
        return script.poll();
    }
}
