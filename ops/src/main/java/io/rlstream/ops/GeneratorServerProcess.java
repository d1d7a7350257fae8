package io.rlstream.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code rlstream serve} (the inference server over the local DJL generator) as a child JVM on
 * 127.0.0.1 and a free port, started like the broker and the registry: this JVM's class path,
 * relaunched on a fresh port when the log shows a port clash, ready once {@code GET /health}
 * answers 200, its output in {@code generator.log} of the work folder, stopped by {@link #close()}
 * (SIGTERM, SIGKILL after 10 s) and with this JVM. The class path must hold the launcher
 * ({@value #LAUNCHER_MAIN}), as it does under {@code rlstream demo} and the launcher's tests.
 */
public final class GeneratorServerProcess extends ServiceProcess {

    /** The launcher's main class; the child runs {@code rlstream serve}. */
    public static final String LAUNCHER_MAIN = "io.rlstream.cli.Rlstream";

    /** JVM options of the server; the system property {@value #JVM_OPTIONS_PROPERTY} replaces them. */
    public static final String DEFAULT_JVM_OPTIONS = "-Xms64m -Xmx1g";
    public static final String JVM_OPTIONS_PROPERTY = "rlstream.serve.jvmOptions";

    /** Time to wait for /health (the tiny policy loads in a few seconds; a real model folder takes longer). */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(180);

    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path model;
    private final String weightVersion;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private int port;

    private GeneratorServerProcess(Path workDir, Path model, String weightVersion) {
        super("the generator server (rlstream serve)", workDir.toAbsolutePath(),
                workDir.toAbsolutePath().resolve("generator.log"), STOP_GRACE);
        this.model = model.toAbsolutePath();
        this.weightVersion = weightVersion;
    }

    /** True if the launcher (and so {@code rlstream serve}) is on this JVM's class path. */
    public static boolean launcherAvailable() {
        try {
            Class.forName(LAUNCHER_MAIN, false, GeneratorServerProcess.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * Serves {@code model} reporting {@code weightVersion} until the first weight update, with its
     * log in {@code workDir/generator.log} (overwritten); returns once /health answers.
     *
     * @throws IllegalStateException with the log's tail if it exits or does not answer in time,
     *     or if the launcher is not on the class path
     */
    public static GeneratorServerProcess start(Path workDir, Path model, String weightVersion, Duration timeout) {
        if (!launcherAvailable()) {
            throw new IllegalStateException("the serve generator runs `rlstream serve` on this JVM's class path, which"
                    + " lacks the launcher (" + LAUNCHER_MAIN + "); run the demo through bin/rlstream");
        }
        GeneratorServerProcess server = new GeneratorServerProcess(workDir, model, weightVersion);
        server.launch(() -> {
            Files.createDirectories(workDir);
            Files.deleteIfExists(server.logFile());
        });
        server.awaitReadyOrStop(timeout);
        return server;
    }

    @Override
    List<String> command() {
        port = ChildProcesses.freePort();
        List<String> command = ChildProcesses.rlstreamCommand(JVM_OPTIONS_PROPERTY, DEFAULT_JVM_OPTIONS);
        command.addAll(List.of("serve", "--model", model.toString(), "--host", ChildProcesses.LOOPBACK,
                "--port", Integer.toString(port), "--weight-version", weightVersion));
        return command;
    }

    /** {@code GET /health} answers 200. */
    @Override
    boolean answers() {
        return ChildProcesses.accepts(port) && get("/health").map(r -> r.statusCode() == 200).orElse(false);
    }

    @Override
    String address() {
        return baseUrl() + "/health";
    }

    /** {@code http://127.0.0.1:PORT}: the worker's generate.url. */
    public String baseUrl() {
        return "http://" + ChildProcesses.LOOPBACK + ":" + port;
    }

    public int port() {
        return port;
    }

    /** The weight version the server serves now (SGLang's GET /get_model_info); empty if it does not answer. */
    public Optional<String> servedWeightVersion() {
        return get("/get_model_info").filter(r -> r.statusCode() == 200).map(r -> {
            try {
                return JSON.readTree(r.body()).path("weight_version").asText();
            } catch (IOException e) {
                throw new UncheckedIOException("malformed /get_model_info from " + baseUrl() + ": " + r.body(), e);
            }
        });
    }

    private Optional<HttpResponse<String>> get(String path) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(5))
                    .GET().build();
            return Optional.of(http.send(request, HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            throw interrupted(e);
        }
    }
}
