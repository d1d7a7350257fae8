package io.rlstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.demo.Demo;
import io.rlstream.demo.DemoSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts of `bench selectors` and `bench async` that do not need a demo run: flags, settings, arithmetic, tables. */
class CurriculumAndAsyncBenchmarksTest {

    static Demo.Result result(String selector, long samplesToTarget, double seconds, double trainerIdle, double generatorIdle) {
        return new Demo.Result(0.2, 0.86, 600, 300, samplesToTarget >= 0, "x", Path.of("."), selector, 200_000,
                samplesToTarget, seconds, 0.45, 25_000, Double.NaN, Double.NaN, trainerIdle, generatorIdle, "local");
    }

    @Test
    void theSelectorTableComparesSamplesToTheTargetWithUniforms() {
        SelectorBenchmark.Settings s = SelectorBenchmark.parse(List.of("--selectors", "uniform,pcl", "--minutes", "3"));
        assertEquals(List.of("uniform", "pcl"), s.selectors());
        String table = SelectorBenchmark.format(List.of(result("uniform", 100_000, 150, 0, 0),
                result("pcl", 80_000, 140, 0, 0), result("pass-rate-window", -1, Double.NaN, 0, 0)), s);
        // 80,000 / 100,000 = 0.80x; a selector that never reached the target shows everything it generated
        assertTrue(table.contains("0.80x"), table);
        assertTrue(table.contains(">200000"), table);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SelectorBenchmark.parse(List.of("--selectors", "best")))
                .getMessage().contains("pcl"));
    }

    @Test
    void bothDemoBenchmarksReadTheSameRunFlags(@TempDir Path dir) {
        SelectorBenchmark.Settings s = SelectorBenchmark.parse(List.of("--minutes", "3", "--target", "0.9",
                "--seed", "11", "--run-dir", dir.toString()));
        assertEquals(List.of(3.0, 0.9, 11.0), List.of(s.minutes(), s.target(), (double) s.seed()));
        assertEquals(dir.toAbsolutePath(), s.runDir());
        AsyncBenchmark.Settings a = AsyncBenchmark.parse(List.of("--seed", "3"));
        // the defaults: 5 minutes for async (6 for selectors), target 0.85, a fresh folder under runs/
        assertEquals(List.of(5.0, 0.85, 3.0), List.of(a.minutes(), a.target(), (double) a.seed()));
        assertTrue(a.runDir().getFileName().toString().matches("bench-async-\\d{8}-\\d{6}"), a.runDir().toString());
        assertEquals(Path.of("runs").toAbsolutePath(), a.runDir().getParent());
        assertEquals(6.0, SelectorBenchmark.parse(List.of()).minutes());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AsyncBenchmark.parse(List.of("--target", "most")))
                .getMessage().contains("--target needs a number, got 'most'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AsyncBenchmark.parse(List.of("--etas", "0,x")))
                .getMessage().contains("--etas needs numbers, got '0,x'"));
    }

    @Test
    void theOverlapLimitIsTheSumOverTheLargerPart() {
        // 60 s of generation and 40 s of training, done one after the other, could overlap into 60 s: 100 / 60
        assertEquals(100.0 / 60, AsyncBenchmark.overlapLimit(60, 40), 1e-12);
        assertEquals(2.0, AsyncBenchmark.overlapLimit(50, 50), 1e-12);
        // 300 s of RL, generator idle 40%, trainer idle 60%: 180 s and 120 s busy
        double[] busy = AsyncBenchmark.busySeconds(result("uniform", 1, 1, 0.6, 0.4));
        assertEquals(180, busy[0], 1e-9);
        assertEquals(120, busy[1], 1e-9);
    }

    @Test
    void eachRunSetsEtaTheInFlightCapItNeedsAndTheOffPolicySetting(@TempDir Path dir) {
        AsyncBenchmark.Settings s = AsyncBenchmark.parse(List.of("--etas", "0,4", "--corrections", "off", "--minutes", "2"));
        assertEquals(List.of(0, 4), s.etas());
        assertEquals(List.of(false), s.corrections());
        DemoSettings plain = AsyncBenchmark.demoSettings(s, dir, 4, false);
        // (4 + 2) * 16 groups may be in flight, so that eta, not the cap, bounds the work ahead
        assertEquals(Map.of("dispatch.max-staleness", "4", "dispatch.max-in-flight-groups", "96"), plain.processorSettings());
        assertEquals(Map.of("trainer.offpolicy.decoupled", "false", "trainer.offpolicy.correction", "none"),
                plain.trainerSettings());
        assertEquals(Map.of(), AsyncBenchmark.demoSettings(s, dir, 0, true).trainerSettings(), "on: the trainer's defaults");
        assertThrows(IllegalArgumentException.class, () -> AsyncBenchmark.parse(List.of("--etas", "-1")));
        assertThrows(IllegalArgumentException.class, () -> AsyncBenchmark.parse(List.of("--corrections", "maybe")));
    }

    @Test
    void stalenessComesFromTheRunsMetrics(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("metrics.csv");
        Files.writeString(csv, "step,staleness_mean,staleness_max\n1,0.5,1\n2,1.5,4\n3,,\n");
        double[] s = AsyncBenchmark.staleness(csv);
        assertEquals(1.0, s[0], 1e-12); // (0.5 + 1.5) / 2, the empty row left out
        assertEquals(4.0, s[1], 1e-12);
    }

    @Test
    void theAsyncTableShowsTheSpeedupOverTheSynchronousRunAndTheOverlapLimit() {
        AsyncBenchmark.Settings s = AsyncBenchmark.parse(List.of("--etas", "0,2"));
        List<AsyncBenchmark.Run> runs = List.of(
                new AsyncBenchmark.Run(0, true, result("uniform", 1, 240, 0.5, 0.5), 0.4, 1),
                new AsyncBenchmark.Run(2, true, result("uniform", 1, 160, 0.2, 0.1), 1.8, 3));
        String table = AsyncBenchmark.format(runs, s);
        assertTrue(table.contains("1.50x"), table); // 240 / 160
        // eta 0: 300 s of RL, half idle each: 150 s + 150 s busy -> 2.00x
        assertTrue(table.contains("= 2.00x"), table);
    }
}
