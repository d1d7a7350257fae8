package io.rlstream.reward.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs an untrusted Python program and tells how it ended, so that a code verifier can score it.
 * Layers, outermost first:
 * <ol>
 *   <li>its own process, in a fresh temporary folder (its working directory, HOME and TMPDIR),
 *       with a minimal environment; the folder is deleted afterwards;</li>
 *   <li>a new user and network namespace ({@code unshare --user --map-root-user --net}) where the
 *       machine allows one (checked once): no network interface but loopback;</li>
 *   <li>rlimits through {@code prlimit}: CPU seconds, address space, file size, open files;</li>
 *   <li>{@code python3 -I -S -B} (isolated: no user site, no environment variables, no bytecode
 *       files) with a prelude whose audit hook (PEP 578) refuses files outside the folder (the
 *       standard library excepted), sockets, new processes and native code;</li>
 *   <li>a wall-clock limit, at which the process and all its descendants are killed; stdout and
 *       stderr are drained on their own threads and capped, so a chatty program cannot block or
 *       exhaust the service's memory.</li>
 * </ol>
 * The audit hook is defence in depth, not a boundary: CPython's own documentation says hooks can
 * be bypassed by native code. The boundaries are the process, the namespaces and the limits. It
 * does not (yet) hide the rest of the file system from reads at the kernel level (no mount
 * namespace or chroot), which the hook covers only for Python-level opens.
 *
 * <p>Thread-safe: each run has its own folder and process.
 */
public final class PythonSandbox {

    private static final String PRELUDE = readPrelude();
    private static final boolean NETWORK_NAMESPACE = works("unshare", "--user", "--map-root-user", "--net", "true");
    private static final boolean PRLIMIT = works("prlimit", "--cpu=1", "true");

    private final SandboxLimits limits;
    private final String python;

    public PythonSandbox(SandboxLimits limits) {
        this(limits, "python3");
    }

    /** @param python the interpreter to run, found on PATH when not a path */
    public PythonSandbox(SandboxLimits limits, String python) {
        this.limits = limits;
        this.python = python;
    }

    /** Whether runs get their own network namespace on this machine. */
    public static boolean networkIsolated() {
        return NETWORK_NAMESPACE;
    }

    /** Whether CPU, memory and file-size limits are enforced on this machine. */
    public static boolean resourceLimited() {
        return PRLIMIT;
    }

    public SandboxLimits limits() {
        return limits;
    }

    /** Runs {@code program}; never throws, never outlives the wall-clock limit by more than the kill. */
    public SandboxResult run(String program) {
        Path folder;
        try {
            folder = Files.createTempDirectory("rlstream-sandbox-");
        } catch (IOException | RuntimeException e) {
            return SandboxResult.error("cannot create a temporary folder: " + e);
        }
        try {
            Files.writeString(folder.resolve("main.py"), PRELUDE + "\n" + program, StandardCharsets.UTF_8);
            return execute(folder);
        } catch (IOException | RuntimeException e) {
            return SandboxResult.error("cannot run the program: " + e);
        } finally {
            deleteTree(folder);
        }
    }

    private SandboxResult execute(Path folder) throws IOException {
        if (!interpreterExists()) {
            return SandboxResult.error("no Python interpreter '" + python + "' (install python3 and put it on PATH)");
        }
        List<String> command = new ArrayList<>();
        if (NETWORK_NAMESPACE) {
            command.addAll(List.of("unshare", "--user", "--map-root-user", "--net"));
        }
        if (PRLIMIT) {
            command.addAll(List.of("prlimit", "--cpu=" + limits.cpuSeconds(), "--as=" + limits.memoryBytes(),
                    "--fsize=" + limits.fileBytes(), "--nofile=64", "--core=0"));
        }
        command.addAll(List.of(python, "-I", "-S", "-B", "main.py"));
        ProcessBuilder builder = new ProcessBuilder(command).directory(folder.toFile());
        Map<String, String> env = builder.environment();
        String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.clear();
        env.put("PATH", path);
        env.put("HOME", folder.toString());
        env.put("TMPDIR", folder.toString());
        env.put("LANG", "C.UTF-8");
        long start = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return SandboxResult.error("cannot start " + python + " (is it installed and on PATH?): " + e.getMessage());
        }
        process.getOutputStream().close();
        CappedReader out = new CappedReader(process.getInputStream(), limits.outputBytes());
        CappedReader err = new CappedReader(process.getErrorStream(), limits.outputBytes());
        out.start();
        err.start();
        boolean finished;
        try {
            finished = process.waitFor(limits.wallTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finished = false;
        }
        // Children first, then the process: nothing it started outlives the run.
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
            out.join(2_000);
            err.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        boolean truncated = out.truncated() || err.truncated();
        if (!finished) {
            return new SandboxResult(SandboxResult.Outcome.TIMEOUT, -1, out.text(), err.text(), truncated, millis);
        }
        int exit = process.exitValue();
        return new SandboxResult(outcome(exit, err.text()), exit, out.text(), err.text(), truncated, millis);
    }

    private static SandboxResult.Outcome outcome(int exit, String stderr) {
        if (exit == 0) {
            return SandboxResult.Outcome.OK;
        }
        if (exit == 128 + 24 || exit == 128 + 9 && stderr.isEmpty()) {
            // SIGXCPU at the soft CPU limit (SIGKILL at the hard one).
            return SandboxResult.Outcome.CPU_LIMIT;
        }
        if (stderr.contains("MemoryError")) {
            return SandboxResult.Outcome.MEMORY_LIMIT;
        }
        return exit > 128 ? SandboxResult.Outcome.KILLED_BY_SIGNAL : SandboxResult.Outcome.FAILED;
    }

    /** Drains a stream on its own thread, keeping the first {@code cap} bytes. */
    private static final class CappedReader extends Thread {
        private final InputStream in;
        private final int cap;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private volatile boolean truncated;

        CappedReader(InputStream in, int cap) {
            super("sandbox-output");
            setDaemon(true);
            this.in = in;
            this.cap = cap;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[8192];
            try (in) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    int room = cap - kept.size();
                    if (n > room) {
                        truncated = true;
                    }
                    if (room > 0) {
                        kept.write(buffer, 0, Math.min(n, room));
                    }
                }
            } catch (IOException ignored) {
                // The process was killed: what was read is what there is.
            }
        }

        boolean truncated() {
            return truncated;
        }

        String text() {
            synchronized (kept) {
                return kept.toString(StandardCharsets.UTF_8);
            }
        }
    }

    private boolean interpreterExists() {
        if (python.contains("/")) {
            return Files.isExecutable(Path.of(python));
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, python))) {
                return true;
            }
        }
        return false;
    }

    private static boolean works(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String readPrelude() {
        try (InputStream in = PythonSandbox.class.getResourceAsStream("prelude.py")) {
            if (in == null) {
                throw new IllegalStateException("prelude.py is missing from the reward service's resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path folder) {
        try (Stream<Path> walk = Files.walk(folder)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // A folder we cannot delete stays under the temporary directory; the next run uses a new one.
        }
    }
}
