package io.rlstream.reward.remote;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@link RewardServerMain} as a child JVM on this test's class path; closing kills it. */
final class RewardServerProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final int port;

    private RewardServerProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    static RewardServerProcess start(Path dir, String token) throws IOException, InterruptedException {
        Path portFile = dir.resolve("port");
        Path log = dir.resolve("requests.log");
        Files.writeString(log, "");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", System.getProperty("java.class.path"), RewardServerMain.class.getName(),
                portFile.toString(), token, log.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.out").toFile())
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.exists(portFile)) {
            if (!p.isAlive()) {
                throw new IllegalStateException("reward server exited with " + p.exitValue() + ": "
                        + Files.readString(dir.resolve("server.out")));
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IllegalStateException("reward server did not start in 60 s");
            }
            Thread.sleep(50);
        }
        return new RewardServerProcess(p, log, Integer.parseInt(Files.readString(portFile).strip()));
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    long pid() {
        return process.pid();
    }

    /** Every request so far as {status, batch size}. */
    List<int[]> requests() throws IOException {
        List<int[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            if (!line.isBlank()) {
                String[] f = line.split(" ");
                out.add(new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])});
            }
        }
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
