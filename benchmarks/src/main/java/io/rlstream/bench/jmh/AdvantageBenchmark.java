package io.rlstream.bench.jmh;

import io.rlstream.processors.advantage.AdvantageEstimator;
import io.rlstream.processors.advantage.AdvantageEstimators;
import io.rlstream.processors.advantage.AdvantageOptions;
import io.rlstream.processors.advantage.GroupRewards;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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
 * Advantages of one training batch, both stages, per estimator: 16 groups of G = 8 samples with
 * 0/1 rewards (a verifier's) and response lengths of 1..1000 tokens. One op = one batch. The
 * question it answers: can the estimator ever be the grouping app's bottleneck? (It runs once per
 * group and once per batch, next to Kafka round trips of milliseconds.)
 *
 * <pre>
 *   mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 *   java -cp target/test-classes:target/classes:$(cat target/cp.txt) org.openjdk.jmh.Main AdvantageBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class AdvantageBenchmark {

    private static final int GROUPS = 16;
    private static final int G = 8;
    private static final int MAX_LENGTH = 1000;

    @Param({"grpo", "grpo-batch-std", "drgrpo", "rloo", "reinforce-pp-baseline", "opo"})
    public String estimatorName;

    private AdvantageEstimator estimator;
    private List<GroupRewards> batch;

    @Setup
    public void setUp() {
        estimator = AdvantageEstimators.FAMILY.create(estimatorName, AdvantageOptions.defaults());
        // Fixed seed: every estimator sees the same batch, and runs are comparable.
        Random random = new Random(42);
        batch = new ArrayList<>(GROUPS);
        for (int k = 0; k < GROUPS; k++) {
            double[] rewards = new double[G];
            int[] lengths = new int[G];
            for (int i = 0; i < G; i++) {
                rewards[i] = random.nextBoolean() ? 1 : 0;
                lengths[i] = 1 + random.nextInt(MAX_LENGTH);
            }
            batch.add(new GroupRewards(rewards, lengths));
        }
    }

    /** Group stage for every group, then the batch stage, as the grouping app runs them. */
    @Benchmark
    public List<float[]> batchOfSixteenGroups() {
        List<float[]> firstStage = new ArrayList<>(GROUPS);
        for (GroupRewards group : batch) {
            firstStage.add(estimator.advantages(group));
        }
        return estimator.hasBatchStage() ? estimator.normalizeBatch(batch, firstStage) : firstStage;
    }
}
