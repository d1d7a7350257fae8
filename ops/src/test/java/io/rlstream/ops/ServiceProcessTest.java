package io.rlstream.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launch, readiness wait and stop the broker and registry wrappers share, with sh as the child. */
class ServiceProcessTest {

    @TempDir
    Path dir;

    private ServiceProcess service(String script, AtomicInteger launches, boolean answers) {
        return new ServiceProcess("the test service", dir, dir.resolve("service.log"), Duration.ofSeconds(2)) {
            @Override
            List<String> command() {
                launches.incrementAndGet();
                return List.of("sh", "-c", script);
            }

            @Override
            boolean answers() {
                return answers;
            }

            @Override
            String address() {
                return "127.0.0.1:1";
            }
        };
    }

    /** Launches {@code script} as a service that never answers; the failure of waiting for it. */
    private IllegalStateException failedStart(String script, AtomicInteger launches) {
        ServiceProcess service = service(script, launches, false);
        service.launch(() -> {});
        return assertThrows(IllegalStateException.class, () -> service.awaitReady(Duration.ofSeconds(30)));
    }

    @Test
    void anExitWhileStartingNamesTheCodeAndTheLogTail() {
        AtomicInteger launches = new AtomicInteger();
        IllegalStateException e = failedStart("echo broken config; exit 3", launches);
        assertTrue(e.getMessage().startsWith("the test service exited with code 3 while starting"), e.getMessage());
        assertTrue(e.getMessage().contains("broken config"), e.getMessage());
        assertEquals(1, launches.get(), "no relaunch without a port clash");
    }

    @Test
    void aPortClashIsRelaunchedThreeTimesInAll() {
        AtomicInteger launches = new AtomicInteger();
        IllegalStateException e = failedStart("echo java.net.BindException: Address already in use; exit 1", launches);
        assertTrue(e.getMessage().contains("exited with code 1"), e.getMessage());
        assertEquals(3, launches.get());
    }

    @Test
    void theRegistrysOwnPortCheckIsAPortClashToo() {
        // Apicurio's Quarkus logs this and exits 1 when another process took the port it was given
        // between the free-port probe and its bind (seen with tests running beside bench objectives)
        AtomicInteger launches = new AtomicInteger();
        failedStart("echo 'ERROR (main) Port 44703 seems to be in use by another process. Quarkus may already be"
                + " running or the port is used by another application.'; exit 1", launches);
        assertEquals(3, launches.get());
    }

    @Test
    void noAnswerInTimeStopsTheProcessAndSaysWhere() throws Exception {
        AtomicInteger launches = new AtomicInteger();
        ServiceProcess service = service("sleep 60", launches, false);
        service.launch(() -> Files.writeString(dir.resolve("prepared"), "yes"));
        assertTrue(Files.exists(dir.resolve("prepared")), "preparation runs before the launch");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> service.awaitReadyOrStop(Duration.ofMillis(300)));
        assertTrue(e.getMessage().startsWith("the test service did not answer at 127.0.0.1:1 within 0 s"), e.getMessage());
        assertFalse(service.isAlive(), "awaitReadyOrStop stops what did not come up");
    }

    @Test
    void readyWhenTheProbeAnswers() {
        AtomicInteger launches = new AtomicInteger();
        ServiceProcess service = service("sleep 60", launches, true);
        service.launch(() -> {});
        try {
            service.awaitReadyOrStop(Duration.ofSeconds(5));
            assertTrue(service.isAlive());
        } finally {
            service.close();
        }
        assertFalse(service.isAlive());
    }
}
