package io.rlstream.producers.rollouts;

import io.rlstream.producers.serve.InferenceServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * {@code rlstream serve}'s server ({@link InferenceServer}) in a process of its own, as the worker
 * meets a real inference server: started with {@code java} on this test's class path, killed like
 * a crashed server. (The launcher's {@code serve} command is a thin wrapper around the same
 * {@code InferenceServer.start}; the launcher is not on producers' class path.)
 */
final class ServeProcess implements AutoCloseable {

    private final Process process;
    private final URI address;

    private ServeProcess(Process process, URI address) {
        this.process = process;
        this.address = address;
    }

    /** Serves {@code model} on 127.0.0.1:{@code port} reporting {@code version}; returns once /health answers 200. */
    static ServeProcess start(Path model, int port, String version, Path log) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                "-Dai.djl.offline=true", ServeProcess.class.getName(), model.toString(), Integer.toString(port), version)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        URI address = URI.create("http://127.0.0.1:" + port);
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("the serve process exited with " + p.exitValue() + "; its log is " + log);
            }
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(address.resolve("/health"))
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return new ServeProcess(p, address);
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(200);
        }
        p.destroyForcibly();
        throw new IllegalStateException("the serve process did not answer /health within 90 s; its log is " + log);
    }

    URI address() {
        return address;
    }

    /** The weight version the server reports (GET /get_model_info, SGLang's). */
    String weightVersion() throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(address.resolve("/get_model_info"))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return io.rlstream.producers.rollouts.http.ServerProtocol.JSON.readTree(r.body()).path("weight_version").asText();
    }

    /** Kills the process at once, as a crash would (no graceful shutdown). */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    /** The child process: serves args[0] on port args[1] with version args[2] until killed. */
    public static void main(String[] args) throws InterruptedException {
        InferenceServer server = InferenceServer.start(Path.of(args[0]), "demo", args[2], "127.0.0.1",
                Integer.parseInt(args[1]));
        System.out.println("serving " + server.address());
        new CountDownLatch(1).await();
    }
}
