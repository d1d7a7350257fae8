package io.rlstream.processors;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.processors.config.ProcessorsConfig;
import io.rlstream.testkit.PipelineFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** What the processors' integration tests share on top of testkit's {@link PipelineFixture}. */
public final class ProcessorsFixture {

    private ProcessorsFixture() {}

    /**
     * The processors' settings that reach the fixture's broker and registry, with their state in
     * {@code stateDir} and the test's own {@code settings} on top.
     */
    public static ProcessorsConfig config(PipelineFixture pipeline, Path stateDir, Map<String, String> settings) {
        Map<String, Object> c = pipeline.serviceSettings();
        c.putAll(settings);
        c.put("processors.state.dir", stateDir.toString());
        return new ProcessorsConfig(c);
    }

    /** Polls {@code condition} every 50 ms; fails naming {@code what} if it is not true within {@code wait}. */
    public static void await(BooleanSupplier condition, Duration wait, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + wait.toMillis();
        while (!condition.getAsBoolean()) {
            assertTrue(System.currentTimeMillis() < deadline, "timed out waiting until " + what);
            Thread.sleep(50);
        }
    }
}
