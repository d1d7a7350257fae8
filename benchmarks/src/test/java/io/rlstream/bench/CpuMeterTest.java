package io.rlstream.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class CpuMeterTest {

    @Test
    void cpuOfAThreadIsBookedToThePartItsNameSays() throws InterruptedException {
        CpuMeter meter = new CpuMeter(List.of(new CpuMeter.Rule("burner", "burners")), Map.of());
        CpuMeter.Reading reading = meter.start();
        CountDownLatch burnt = new CountDownLatch(1);
        CountDownLatch measured = new CountDownLatch(1);
        Thread burner = new Thread(() -> {
            // Burn until this thread itself has used 100 ms of CPU, however loaded the machine is,
            // then stay alive until the reading stops: a thread that ended is only in the JVM's total.
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long start = threads.getCurrentThreadCpuTime();
            double x = 0;
            while (threads.getCurrentThreadCpuTime() - start < 100_000_000L) {
                x += Math.sqrt(x + 1);
            }
            burnt.countDown();
            try {
                measured.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (x < 0) {
                throw new AssertionError();
            }
        }, "bench-test-burner");
        burner.start();
        burnt.await();
        Map<String, Double> used = reading.stop();
        measured.countDown();
        burner.join();
        // The burner used at least 100 ms of CPU after the reading started (in seconds).
        assertTrue(used.getOrDefault("burners", 0.0) >= 0.09, used.toString());
        assertTrue(used.keySet().stream().allMatch(k -> used.get(k) > 0), "only parts that used CPU: " + used);
    }
}
