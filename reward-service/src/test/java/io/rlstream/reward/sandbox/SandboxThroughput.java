package io.rlstream.reward.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rlstream.reward.verify.CodeVerifier;
import io.rlstream.reward.verify.Verification;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * How many code checks per second one reward-service instance can make: {@code n} checks of a
 * trivial correct program (a function and two asserts) through {@link CodeVerifier}, one at a
 * time and then on two threads. Each check is a whole sandbox: work dir, namespaces, Python
 * start-up, teardown. Run with
 * {@code mvn -o -q test -pl reward-service -Dtest=SandboxThroughput -Dsandbox.throughput=true}
 * ({@code -Dsandbox.throughput.n=50} to change n), or through {@link #main}.
 */
class SandboxThroughput {

    static final String RESPONSE = "```python\ndef add(a, b):\n    return a + b\n```";
    static final String TESTS = "assert add(1, 2) == 3\nassert add(-1, 1) == 0\n";

    @Test
    @EnabledIfSystemProperty(named = "sandbox.throughput", matches = "true")
    void measure() throws Exception {
        main(new String[] {System.getProperty("sandbox.throughput.n", "50")});
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        long built = System.nanoTime();
        PythonSandbox sandbox = new PythonSandbox(SandboxLimits.defaults());
        System.out.printf("sandbox built in %d ms: %s%n", (System.nanoTime() - built) / 1_000_000, sandbox.isolation().describe());
        CodeVerifier verifier = new CodeVerifier(sandbox, 1.0, 0.0);
        check(verifier); // warm-up: class loading, page cache
        for (int threads : new int[] {1, 2}) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<Long>> futures = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> check(verifier)));
            }
            List<Long> millis = new ArrayList<>();
            for (Future<Long> f : futures) {
                millis.add(f.get());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            pool.shutdown();
            Collections.sort(millis);
            System.out.printf("%d thread(s): %d checks in %.2f s = %.1f checks/s; wall per check p50 %d ms, p99 %d ms, max %d ms%n",
                    threads, n, seconds, n / seconds, percentile(millis, 0.50), percentile(millis, 0.99), millis.get(millis.size() - 1));
        }
    }

    private static long check(CodeVerifier verifier) {
        long start = System.nanoTime();
        Verification v = verifier.verify(RESPONSE, TESTS);
        assertEquals(1.0, v.score(), v.reason());
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(List<Long> sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }
}
