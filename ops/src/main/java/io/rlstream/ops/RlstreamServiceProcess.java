package io.rlstream.ops;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code rlstream SERVICE} (rewards, worker, processors, dispatcher, trainer) run as a child
 * JVM with this JVM's class path, as an operator runs it: its output appended to a log, its
 * Prometheus endpoint on a free port (whose {@code /ready} tells when it works), stopped with
 * SIGTERM by {@link #close()} or killed with SIGKILL by {@link #kill()}. The class path must hold
 * the launcher ({@value GeneratorServerProcess#LAUNCHER_MAIN}).
 */
public final class RlstreamServiceProcess extends ServiceProcess {

    /** JVM options of every service; the system property {@value #JVM_OPTIONS_PROPERTY} replaces them. */
    public static final String DEFAULT_JVM_OPTIONS = "-Xms64m -Xmx1g -XX:+UseSerialGC";
    public static final String JVM_OPTIONS_PROPERTY = "rlstream.service.jvmOptions";
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final String service;
    private final List<String> args;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private int metricsPort;

    private RlstreamServiceProcess(String service, Path workDir, Path log, List<String> args) {
        super("rlstream " + service, workDir, log, STOP_GRACE);
        this.service = service;
        this.args = List.copyOf(args);
    }

    /**
     * Starts {@code rlstream SERVICE ARGS... --set <metrics port>=PORT} without waiting; its output
     * goes to {@code log} (appended, so that the runs of one service after restarts share a file).
     */
    public static RlstreamServiceProcess launch(String service, Path workDir, Path log, List<String> args) {
        if (!GeneratorServerProcess.launcherAvailable()) {
            throw new IllegalStateException("rlstream " + service + " runs on this JVM's class path, which lacks the"
                    + " launcher (" + GeneratorServerProcess.LAUNCHER_MAIN + "); run through bin/rlstream");
        }
        RlstreamServiceProcess p = new RlstreamServiceProcess(service, workDir.toAbsolutePath(), log.toAbsolutePath(), args);
        p.launch(() -> Files.createDirectories(workDir));
        return p;
    }

    /** The setting that holds a service's Prometheus port (the dispatcher has its own). */
    static String metricsPortKey(String service) {
        return "dispatcher".equals(service) ? "dispatch.metrics.port" : "metrics.port";
    }

    @Override
    List<String> command() throws IOException {
        metricsPort = ChildProcesses.freePort();
        List<String> command = ChildProcesses.rlstreamCommand(JVM_OPTIONS_PROPERTY, DEFAULT_JVM_OPTIONS);
        command.add(service);
        command.addAll(args);
        command.addAll(List.of("--set", metricsPortKey(service) + "=" + metricsPort));
        return new ArrayList<>(command);
    }

    /** {@code GET /ready} answers 200: the service is doing its work. */
    @Override
    boolean answers() {
        return ready();
    }

    /** True if the service's {@code /ready} answers 200 now. */
    public boolean ready() {
        if (!ChildProcesses.accepts(metricsPort)) {
            return false;
        }
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(address())).timeout(Duration.ofSeconds(2)).GET().build();
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            throw interrupted(e);
        }
    }

    /**
     * The sum of a counter's samples (all label sets) on the service's {@code /metrics} now, e.g.
     * {@code rlstream_reward_scored_rollouts_total}; 0 when the endpoint does not answer or lacks it.
     */
    public long counter(String name) {
        if (!ChildProcesses.accepts(metricsPort)) {
            return 0;
        }
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + ChildProcesses.LOOPBACK + ":" + metricsPort
                    + "/metrics")).timeout(Duration.ofSeconds(5)).GET().build();
            return sumOf(http.send(request, HttpResponse.BodyHandlers.ofString()).body(), name);
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            throw interrupted(e);
        }
    }

    /** The sum of the samples named {@code name} (with or without labels) in Prometheus exposition text. */
    static long sumOf(String exposition, String name) {
        double sum = 0;
        for (String line : exposition.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                String rest = line.charAt(name.length()) == '{' ? line.substring(line.lastIndexOf('}') + 1) : line.substring(name.length());
                sum += Double.parseDouble(rest.trim().split("\\s+")[0]); // value, then an optional timestamp
            }
        }
        return Math.round(sum);
    }

    @Override
    String address() {
        return "http://" + ChildProcesses.LOOPBACK + ":" + metricsPort + "/ready";
    }

    public String service() {
        return service;
    }
}
