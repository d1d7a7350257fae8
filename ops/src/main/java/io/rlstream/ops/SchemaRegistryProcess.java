package io.rlstream.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;

/**
 * The real Apicurio Registry 2.6 (Quarkus, in-memory H2 storage) as a child JVM bound to
 * 127.0.0.1 on a free port. It serves Apicurio's own API at {@link #url()} (what
 * {@link io.rlstream.schemas.RegistrySerdes} takes) and the Confluent-compatible API at
 * {@link #ccompatUrl()}. Its output goes to {@code registry.log} in the work folder. {@link #close()}
 * stops it (SIGTERM, then SIGKILL after 10 s); its schemas are gone with it (in-memory storage).
 *
 * <p>The registry distribution is found by {@link #locateHome()}: system property
 * {@value #HOME_PROPERTY}, else environment variable {@value #HOME_ENV}, else the folder
 * {@code ops/target/apicurio-registry} in the working directory or one above it, or above the folder
 * the ops classes were loaded from (ops' build unpacks the {@code io.apicurio:apicurio-registry-app:2.6.13.Final:tar.gz:all} artifact there).
 */
public final class SchemaRegistryProcess extends ServiceProcess {

    public static final String HOME_PROPERTY = "rlstream.registry.home";
    public static final String HOME_ENV = "RLSTREAM_REGISTRY_HOME";
    /** Where ops' build unpacks the registry, relative to the project root. */
    public static final String BUILD_HOME = "ops/target/apicurio-registry";

    /** Default time to wait for the registry to be ready (it takes ~5 s on an idle machine). */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(120);

    /** JVM options of the registry process; the system property {@value #JVM_OPTIONS_PROPERTY} replaces them. */
    public static final String DEFAULT_JVM_OPTIONS = "-Xms64m -Xmx512m -XX:TieredStopAtLevel=1";
    public static final String JVM_OPTIONS_PROPERTY = "rlstream.registry.jvmOptions";

    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final Path workDir;
    private final Path home;
    private final Path runner;
    private final String mainClass;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private int port;

    private SchemaRegistryProcess(Path workDir, Path home) {
        super("the schema registry", workDir.toAbsolutePath(), workDir.toAbsolutePath().resolve("registry.log"),
                STOP_GRACE);
        this.workDir = workDir.toAbsolutePath();
        this.home = home.toAbsolutePath();
        this.runner = runnerJar(this.home);
        this.mainClass = mainClass(runner);
    }

    /** Starts the registry found by {@link #locateHome()}, with its log in {@code workDir}, and waits until ready. */
    public static SchemaRegistryProcess start(Path workDir) {
        return start(workDir, locateHome(), DEFAULT_START_TIMEOUT);
    }

    /**
     * Starts a registry and waits until {@code /health/ready} answers UP.
     *
     * @param workDir      working folder of the process; holds {@code registry.log} (overwritten)
     * @param registryHome the unpacked distribution (holds {@code *-runner.jar} and {@code lib/})
     * @param timeout      how long to wait for readiness
     * @throws IllegalStateException pointing at the log file if it does not become ready
     */
    public static SchemaRegistryProcess start(Path workDir, Path registryHome, Duration timeout) {
        SchemaRegistryProcess registry = launch(workDir, registryHome);
        registry.awaitReadyOrStop(timeout);
        return registry;
    }

    /** Launches without waiting (LocalPlatform starts the broker meanwhile). */
    static SchemaRegistryProcess launch(Path workDir, Path registryHome) {
        SchemaRegistryProcess registry = new SchemaRegistryProcess(workDir, registryHome);
        registry.launch(() -> {
            Files.createDirectories(registry.workDir);
            Files.deleteIfExists(registry.logFile());
        });
        return registry;
    }

    /**
     * The unpacked registry distribution: system property {@value #HOME_PROPERTY}, else env
     * {@value #HOME_ENV}, else {@value #BUILD_HOME} in the working directory or a parent of it.
     *
     * @throws IllegalStateException saying how to get it if none is found
     */
    public static Path locateHome() {
        String configured = System.getProperty(HOME_PROPERTY);
        String source = "system property " + HOME_PROPERTY;
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(HOME_ENV);
            source = "environment variable " + HOME_ENV;
        }
        if (configured != null && !configured.isBlank()) {
            Path home = Path.of(configured).toAbsolutePath();
            if (!Files.isDirectory(home)) {
                throw new IllegalStateException(source + " points at " + home + ", which is not a folder");
            }
            runnerJar(home);
            return home;
        }
        Path start = Path.of("").toAbsolutePath();
        Path found = searchUpward(start);
        if (found == null) {
            // Also next to where the ops classes come from (ops/target/classes in a source tree).
            try {
                found = searchUpward(Path.of(ChildProcesses.codeSource(SchemaRegistryProcess.class)));
            } catch (RuntimeException ignored) {
                // unknown code source: nothing more to search
            }
        }
        if (found != null) {
            return found;
        }
        throw new IllegalStateException("cannot find the Apicurio schema registry: no " + BUILD_HOME
                + " in " + start + " or any folder above it. Run `mvn -B -q install -DskipTests` in the"
                + " project root first (ops' build unpacks the registry from Maven Central), or set "
                + HOME_PROPERTY + " / " + HOME_ENV + " to an unpacked apicurio-registry-app distribution.");
    }

    private static Path searchUpward(Path start) {
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(BUILD_HOME);
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** The runnable jar of a distribution: {@code *-runner.jar}, or Quarkus' fast-jar {@code quarkus-run.jar}. */
    static Path runnerJar(Path home) {
        List<Path> candidates = new ArrayList<>();
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(home, "*-runner.jar")) {
            jars.forEach(candidates::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + home, e);
        }
        for (Path fastJar : List.of(home.resolve("quarkus-run.jar"), home.resolve("quarkus-app/quarkus-run.jar"))) {
            if (Files.isRegularFile(fastJar)) {
                candidates.add(fastJar);
            }
        }
        if (candidates.isEmpty()) {
            throw new IllegalStateException("no *-runner.jar or quarkus-run.jar in " + home
                    + ": not an unpacked apicurio-registry-app distribution (run `mvn -B -q install -DskipTests`)");
        }
        candidates.sort(null);
        return candidates.get(0);
    }

    private static String mainClass(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            String main = file.getManifest() == null ? null : file.getManifest().getMainAttributes().getValue("Main-Class");
            if (main == null) {
                throw new IllegalStateException(jar + " has no Main-Class in its manifest");
            }
            return main.trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + jar, e);
        }
    }

    /** The command line of one attempt, on a fresh port. */
    @Override
    List<String> command() {
        port = ChildProcesses.freePort();
        List<String> command = ChildProcesses.javaCommand(JVM_OPTIONS_PROPERTY, DEFAULT_JVM_OPTIONS);
        command.add("-Djava.util.logging.manager=org.jboss.logmanager.LogManager");
        command.add("-Dquarkus.http.host=" + ChildProcesses.LOOPBACK);
        command.add("-Dquarkus.http.port=" + port);
        // In-memory storage (the 2.6 default; explicit so a changed default does not surprise us).
        command.add("-Dquarkus.datasource.jdbc.url=jdbc:h2:mem:registry_db");
        command.add("-Dquarkus.log.console.color=false");
        command.addAll(ChildProcesses.watchdogOptions());
        command.add("-cp");
        command.add(runner + java.io.File.pathSeparator + ChildProcesses.codeSource(ChildMain.class));
        command.add(ChildMain.class.getName());
        command.add(mainClass);
        return command;
    }

    /** {@code /health/ready} answers 200. */
    @Override
    boolean answers() {
        return ChildProcesses.accepts(port) && status(readyUri()) == 200;
    }

    @Override
    String address() {
        return readyUri().toString();
    }

    private URI readyUri() {
        return URI.create(baseUrl() + "/health/ready");
    }

    private int status(URI uri) {
        try {
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build();
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            throw interrupted(e);
        }
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String baseUrl() {
        return "http://" + ChildProcesses.LOOPBACK + ":" + port;
    }

    /** Apicurio's v2 API root, {@code http://127.0.0.1:PORT/apis/registry/v2}: the URL the serdes take. */
    public String url() {
        return baseUrl() + "/apis/registry/v2";
    }

    /** The Confluent-compatible API, {@code http://127.0.0.1:PORT/apis/ccompat/v7}. */
    public String ccompatUrl() {
        return baseUrl() + "/apis/ccompat/v7";
    }

    public int port() {
        return port;
    }

    public Path home() {
        return home;
    }
}
