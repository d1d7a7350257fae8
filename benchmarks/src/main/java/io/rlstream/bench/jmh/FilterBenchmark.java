package io.rlstream.bench.jmh;

import io.rlstream.processors.filter.DynamicSampling;
import io.rlstream.processors.filtration.BatchReweighting;
import io.rlstream.processors.filtration.BatchReweightings;
import io.rlstream.processors.filtration.PolicyFiltration;
import io.rlstream.processors.filtration.PolicyFiltrations;
import io.rlstream.processors.pairs.PreferencePairs;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of the per-group filters and the batch reweighting, to show they cost nothing next
 * to generation: a group of G = 8 random 0/1 rewards (as a verifier gives) for dynamic sampling,
 * each PF-PPO filtration and preference pairs; a batch of 128 scores resampled to 128 for each of
 * verl's reweightings. Group benchmarks cycle through 1024 pre-drawn groups so branch prediction
 * does not learn one group. Defaults finish in about a minute:
 *
 * <pre>
 *   java -cp target/test-classes:target/classes:$(cat target/cp.txt) org.openjdk.jmh.Main FilterBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Thread)
public class FilterBenchmark {

    static final int GROUP_SIZE = 8;
    static final int BATCH_SIZE = 128;

    /** 1024 groups of 8 random 0/1 rewards, visited in turn. */
    @State(Scope.Thread)
    public static class Groups {
        private static final int COUNT = 1024;
        final double[][] rewards = new double[COUNT][GROUP_SIZE];
        final SplittableRandom rng = new SplittableRandom(42);
        int next;

        @Setup
        public void draw() {
            SplittableRandom draws = new SplittableRandom(7);
            for (double[] group : rewards) {
                for (int i = 0; i < GROUP_SIZE; i++) {
                    group[i] = draws.nextInt(2);
                }
            }
        }

        double[] nextGroup() {
            double[] group = rewards[next];
            next = (next + 1) & (COUNT - 1);
            return group;
        }
    }

    @State(Scope.Thread)
    public static class Filtration {
        @Param({"none", "best-of-n", "best-random", "best-worst"})
        public String name;
        PolicyFiltration filtration;

        @Setup
        public void create() {
            filtration = PolicyFiltrations.FAMILY.create(name, null);
        }
    }

    /** 128 scores uniform in [0, 1), as continuous reward-model scores. */
    @State(Scope.Thread)
    public static class Batch {
        @Param({"pow", "max_min", "max_random"})
        public String name;
        BatchReweighting reweighting;
        final double[] scores = new double[BATCH_SIZE];
        final SplittableRandom rng = new SplittableRandom(42);

        @Setup
        public void create() {
            reweighting = BatchReweightings.FAMILY.create(name, null).orElseThrow();
            SplittableRandom draws = new SplittableRandom(7);
            for (int i = 0; i < BATCH_SIZE; i++) {
                scores[i] = draws.nextDouble();
            }
        }
    }

    private final DynamicSampling dynamicSampling = new DynamicSampling();

    @Benchmark
    public Object dynamicSamplingJudge(Groups groups) {
        return dynamicSampling.judge(groups.nextGroup());
    }

    @Benchmark
    public int[] policyFiltrationSelect(Groups groups, Filtration f) {
        return f.filtration.select(groups.nextGroup(), groups.rng);
    }

    @Benchmark
    public int[] batchReweightingResample(Batch batch) {
        return batch.reweighting.resample(batch.scores, BATCH_SIZE, batch.rng);
    }

    @Benchmark
    public Optional<PreferencePairs.Pair> preferencePairsSelect(Groups groups) {
        return PreferencePairs.select(groups.nextGroup());
    }
}
