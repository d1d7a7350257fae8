package io.rlstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.bench.Benchmarks;
import io.rlstream.testkit.CommandConsole;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rlstream bench generator} on a tiny run: both rows of the table with the rollouts asked
 * for and positive rates, and the weight-sync line. In the launcher's tests because the serve side
 * starts {@code rlstream serve}, the launcher's command, in a child JVM on this class path.
 */
class GeneratorBenchmarkIT {

    @Test
    void aTinyRunPrintsBothRowsWithPositiveRatesAndTheSyncPercentiles(@TempDir Path dir) {
        CommandConsole console = new CommandConsole();
        int code = console.run(Benchmarks::run, "generator", "--requests", "3", "--group-size", "2", "--max-new-tokens", "3",
                "--concurrency", "2", "--syncs", "3", "--run-dir", dir.toString());
        String out = console.out();
        assertEquals(0, code, out + console.err());
        // 3 requests x G = 2 is 6 rollouts on each side; each has 1..3 response tokens (a stop token
        // ends one early, but every rollout generates at least one)
        for (String label : new String[] {"local (in process)", "serve (rlstream serve, HTTP)"}) {
            double[] row = row(out, label);
            assertEquals(6, row[0], label + " rollouts\n" + out);
            assertTrue(row[1] >= 6 && row[1] <= 18, label + " tokens in [6, 18]\n" + out);
            assertTrue(row[2] > 0 && row[3] > 0 && row[4] > 0, label + " seconds and rates positive\n" + out);
            // rollouts/s = rollouts / seconds, seconds printed to 0.001 s (so within its rounding) and the rate to 0.1
            double low = row[0] / (row[2] + 0.0005) - 0.05;
            double high = row[0] / Math.max(row[2] - 0.0005, 1e-9) + 0.05;
            assertTrue(row[3] >= low && row[3] <= high, label + " rollouts/s = rollouts / seconds\n" + out);
            // tokens/s likewise from the tokens column
            assertTrue(row[4] >= row[1] / (row[2] + 0.0005) - 0.05 && row[4] <= row[1] / Math.max(row[2] - 0.0005, 1e-9) + 0.05,
                    label + " tokens/s = tokens / seconds\n" + out);
        }
        assertTrue(out.contains("ratio serve / local"), out);
        Matcher sync = Pattern.compile("\\(update_weights_from_disk, 3 loads\\): p50 ([0-9.]+) s, p99 ([0-9.]+) s").matcher(out);
        assertTrue(sync.find(), out);
        assertTrue(Double.parseDouble(sync.group(2)) >= Double.parseDouble(sync.group(1)), "p99 >= p50\n" + out);
        assertTrue(Files.exists(dir.resolve("generator.log")), "the server's log in the run folder");
    }

    /** The numbers of a table row: rollouts, tokens, seconds, rollouts/s, tokens/s. */
    private static double[] row(String out, String label) {
        String line = out.lines().filter(l -> l.startsWith(label)).findFirst()
                .orElseThrow(() -> new AssertionError("no row '" + label + "' in\n" + out));
        return Arrays.stream(line.substring(label.length()).trim().split("\\s+")).mapToDouble(Double::parseDouble).toArray();
    }
}
