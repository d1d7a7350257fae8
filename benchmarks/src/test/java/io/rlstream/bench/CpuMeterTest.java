package io.rlstream.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuMeterTest {

    @Test
    void cpuOfAThreadIsBookedToThePartItsNameSays() throws InterruptedException {
        CpuMeter meter = new CpuMeter(List.of(new CpuMeter.Rule("burner", "burners")), Map.of());
        CpuMeter.Reading reading = meter.start();
        Thread burner = new Thread(() -> {
            long until = System.nanoTime() + 300_000_000L;
            double x = 0;
            while (System.nanoTime() < until) {
                x += Math.sqrt(x + 1);
            }
            if (x < 0) {
                throw new AssertionError();
            }
        }, "bench-test-burner");
        burner.start();
        // Stop while the burner still runs: a thread that ended is only in the JVM's total.
        Thread.sleep(250);
        Map<String, Double> used = reading.stop();
        burner.join();
        // 250 ms of wall time of a busy thread; at least 50 ms of it on a CPU even on a loaded machine.
        assertTrue(used.getOrDefault("burners", 0.0) > 0.05, used.toString());
        assertTrue(used.keySet().stream().allMatch(k -> used.get(k) > 0), "only parts that used CPU: " + used);
    }
}
