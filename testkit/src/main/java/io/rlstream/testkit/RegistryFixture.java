package io.rlstream.testkit;

import io.rlstream.ops.SchemaRegistryProcess;
import io.rlstream.schemas.RegistrySerdes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The real schema registry (Apicurio 2.6, see {@link SchemaRegistryProcess}) for tests: started
 * lazily on first use, once per test JVM, shared by all tests, and stopped by a shutdown hook
 * (it takes seconds to start). Its log is under {@code target/} of the module whose tests run
 * (or the temp folder), named in any start error. Storage is in memory: schemas registered by
 * one test are visible to the next, so use distinct topic names (subjects) where it matters.
 *
 * <p>If the registry cannot start, every call throws the same error (no retry per test).
 */
public final class RegistryFixture {

    private static SchemaRegistryProcess registry;
    private static RuntimeException failure;

    private RegistryFixture() {
    }

    /** The running registry process, started on first call. */
    public static synchronized SchemaRegistryProcess process() {
        if (failure != null) {
            throw new IllegalStateException("the shared test schema registry failed to start earlier: "
                    + failure.getMessage(), failure);
        }
        if (registry == null) {
            Path workDir;
            try {
                Path target = Path.of("target");
                Path base = Files.isDirectory(target) ? target : Path.of(System.getProperty("java.io.tmpdir"));
                workDir = Files.createTempDirectory(base.toAbsolutePath(), "rlstream-registry-");
            } catch (IOException e) {
                failure = new UncheckedIOException("cannot create a work folder for the schema registry", e);
                throw failure;
            }
            try {
                long t0 = System.nanoTime();
                SchemaRegistryProcess started = SchemaRegistryProcess.start(workDir);
                System.out.printf("test schema registry ready at %s (%.1f s)%n", started.url(),
                        (System.nanoTime() - t0) / 1e9);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    started.close();
                    deleteQuietly(workDir);
                }, "rlstream-registry-fixture-stop"));
                registry = started;
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            }
        }
        return registry;
    }

    /** Apicurio v2 API root, what {@link RegistrySerdes} takes. */
    public static String url() {
        return process().url();
    }

    /** Confluent-compatible API root ({@code /apis/ccompat/v7}). */
    public static String ccompatUrl() {
        return process().ccompatUrl();
    }

    /** Registry serdes with the project defaults (Confluent wire format, auto-registration). */
    public static RegistrySerdes serdes() {
        return serdes(Map.of());
    }

    /** Registry serdes with extra serde settings. */
    public static RegistrySerdes serdes(Map<String, ?> overrides) {
        return new RegistrySerdes(url(), overrides);
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // best effort
        }
    }
}
