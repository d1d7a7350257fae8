package io.rlstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.config.ServiceConfig;
import io.rlstream.config.ServiceOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Issue 19: a service whose work thread dies does not idle on as a live process with a dead
 * thread: {@code rlstream <service>} prints one line with the reason, stops the rest and exits 1.
 */
class ServiceExitTest {

    @Test
    void aServiceWhoseThreadDiesExitsWithStatusOneAndOneLineSayingWhy() {
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
        AtomicBoolean stopped = new AtomicBoolean();
        ServiceOptions cluster = new ServiceOptions();
        new CommandLine(cluster).parseArgs("--bootstrap-server", "127.0.0.1:9", "--registry-url",
                "http://127.0.0.1:9/apis/registry/v2", "--set", ServiceConfig.METRICS_PORT + "=0");
        int status = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Rlstream.service(cluster, null, out, err, "test",
                ServiceConfig.baseDef(), m -> new ServiceConfig(ServiceConfig.baseDef(), m), ServiceConfig.METRICS_PORT,
                (config, registry, closing) -> {
                    Rlstream.Running r = Rlstream.thread(() -> {
                        try {
                            Thread.sleep(300);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        throw new IllegalStateException("checkpoint folder /ckpt/v7 does not exist");
                    }, "test-loop", closing);
                    return new Rlstream.Running(() -> {
                        stopped.set(true);
                        r.stop().close();
                    }, r.health());
                }));
        assertEquals(1, status);
        String errText = errBytes.toString(StandardCharsets.UTF_8);
        assertTrue(errText.contains("rlstream test: cannot go on: the test-loop thread ended: "
                + "java.lang.IllegalStateException: checkpoint folder /ckpt/v7 does not exist; exiting with status 1"),
                errText);
        assertTrue(stopped.get(), "what was left was stopped");
        assertTrue(outBytes.toString(StandardCharsets.UTF_8).contains("/health"), "the health endpoint is printed");
    }
}
