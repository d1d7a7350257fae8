package io.rlstream.reward.sandbox;

import io.rlstream.reward.sandbox.SandboxResult.Outcome;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One sandboxed run: a fresh work dir, the process tree started from {@link SandboxCommand}, its
 * output drained under the caps, the wall clock enforced, the outcome classified, the work dir
 * deleted. Never throws: whatever goes wrong on the service's side is a
 * {@link Outcome#SANDBOX_ERROR}.
 */
final class SandboxRun {

    static final String PROGRAM_FILE = "main.py";
    /** How long to wait for the pipes to close after the process exited or was killed. */
    private static final long DRAIN_MILLIS = 2_000;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Map<Integer, String> SIGNALS = Map.ofEntries(
            Map.entry(1, "SIGHUP"), Map.entry(2, "SIGINT"), Map.entry(3, "SIGQUIT"), Map.entry(4, "SIGILL"),
            Map.entry(5, "SIGTRAP"), Map.entry(6, "SIGABRT"), Map.entry(7, "SIGBUS"), Map.entry(8, "SIGFPE"),
            Map.entry(9, "SIGKILL"), Map.entry(10, "SIGUSR1"), Map.entry(11, "SIGSEGV"), Map.entry(12, "SIGUSR2"),
            Map.entry(13, "SIGPIPE"), Map.entry(14, "SIGALRM"), Map.entry(15, "SIGTERM"), Map.entry(24, "SIGXCPU"),
            Map.entry(25, "SIGXFSZ"), Map.entry(31, "SIGSYS"));

    private SandboxRun() {
    }

    static SandboxResult run(SandboxTools tools, SandboxIsolation layers, SandboxLimits limits, String program) {
        long start = System.nanoTime();
        if (layers.python() == null) {
            return SandboxResult.sandboxError("no usable python3: " + layers.problem(), 0);
        }
        Path work = null;
        Process process = null;
        try {
            try {
                work = createWorkDir(layers, program);
            } catch (IOException | RuntimeException e) {
                return SandboxResult.sandboxError("cannot create the sandbox's work dir: " + e, millisSince(start));
            }
            String token = HexFormat.of().formatHex(randomBytes(16));
            ProcessBuilder builder = new ProcessBuilder(SandboxCommand.build(tools, layers, limits, work, PROGRAM_FILE))
                    .directory(work.toFile());
            Map<String, String> env = builder.environment();
            env.clear();
            env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
            env.put("HOME", work.toString());
            env.put("TMPDIR", work.toString());
            env.put("LANG", "C.UTF-8");
            start = System.nanoTime();
            process = builder.start();
            Process p = process;
            AtomicReference<Outcome> killedFor = new AtomicReference<>();
            Runnable killForOutput = () -> {
                if (killedFor.compareAndSet(null, Outcome.OUTPUT_LIMIT)) {
                    killTree(tools, layers, p);
                }
            };
            // stdout also carries the start and end lines of the prelude, which are not the program's
            int markers = 2 * (token.length() + 8);
            BoundedCapture out = BoundedCapture.start(p.getInputStream(), limits.outputBytes() + markers, killForOutput, "sandbox-stdout");
            BoundedCapture err = BoundedCapture.start(p.getErrorStream(), limits.outputBytes(), killForOutput, "sandbox-stderr");
            try (OutputStream stdin = p.getOutputStream()) {
                stdin.write((token + "\n").getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                // the sandbox exited before reading its token: classified below as not started
            }
            if (!p.waitFor(limits.wallClock().toMillis(), TimeUnit.MILLISECONDS)) {
                killedFor.compareAndSet(null, Outcome.TIMEOUT);
                killTree(tools, layers, p);
                p.waitFor(DRAIN_MILLIS, TimeUnit.MILLISECONDS);
            }
            long wall = millisSince(start);
            boolean drained = out.await(DRAIN_MILLIS) & err.await(DRAIN_MILLIS);
            if (!drained) {
                // something outside the PID namespace still holds the pipes: kill what is left
                killTree(tools, layers, p);
            }
            int exit = p.isAlive() ? -1 : p.exitValue();
            return classify(layers, limits, token, out, err, killedFor.get(), exit, wall);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return SandboxResult.sandboxError("interrupted while the program ran", millisSince(start));
        } catch (IOException | RuntimeException e) {
            return SandboxResult.sandboxError("cannot start the sandbox: " + e, millisSince(start));
        } finally {
            if (process != null && process.isAlive()) {
                killTree(tools, layers, process);
            }
            deleteTree(work);
        }
    }

    private static SandboxResult classify(SandboxIsolation layers, SandboxLimits limits, String token,
                                          BoundedCapture out, BoundedCapture err, Outcome killedFor, int exit, long wall) {
        String raw = new String(out.bytes(), StandardCharsets.UTF_8);
        String stderr = new String(err.bytes(), StandardCharsets.UTF_8);
        String startLine = token + ":start\n";
        String endLine = "\n" + token + ":end\n";
        if (!raw.startsWith(startLine)) {
            String why = killedFor == Outcome.TIMEOUT
                    ? "did not start within " + seconds(limits.wallClock())
                    : "exited " + exit + " before starting the program";
            return new SandboxResult(Outcome.SANDBOX_ERROR, exit, "", stderr, false, wall,
                    "the sandbox (" + layers.python() + ") " + why + ": " + firstLines(stderr + raw));
        }
        String stdout = raw.substring(startLine.length());
        int end = stdout.lastIndexOf(endLine);
        boolean finished = end >= 0;
        if (finished) {
            stdout = stdout.substring(0, end);
        }
        boolean truncated = out.overflowed() || err.overflowed() || stdout.length() > limits.outputBytes();
        if (stdout.length() > limits.outputBytes()) {
            stdout = stdout.substring(0, limits.outputBytes());
        }
        if (killedFor == Outcome.TIMEOUT) {
            return new SandboxResult(Outcome.TIMEOUT, exit, stdout, stderr, truncated, wall,
                    "timeout after " + seconds(limits.wallClock()));
        }
        if (killedFor == Outcome.OUTPUT_LIMIT) {
            return new SandboxResult(Outcome.OUTPUT_LIMIT, exit, stdout, stderr, true, wall,
                    "wrote more than " + bytes(limits.outputBytes()) + " to " + (out.overflowed() ? "stdout" : "stderr"));
        }
        if (exit == 0) {
            return finished
                    ? new SandboxResult(Outcome.OK, 0, stdout, stderr, truncated, wall, "exit 0")
                    : new SandboxResult(Outcome.FAILED, 0, stdout, stderr, truncated, wall,
                            "exited with status 0 before its last line ran (sys.exit or os._exit), so the code after it did not run");
        }
        if (exit > 128 && SIGNALS.containsKey(exit - 128)) {
            int signal = exit - 128;
            if (signal == 24) {
                return new SandboxResult(Outcome.CPU_LIMIT, exit, stdout, stderr, truncated, wall,
                        "CPU limit of " + limits.cpuSeconds() + " s");
            }
            String hint = switch (signal) {
                case 9 -> " (the CPU hard limit, one second after SIGXCPU, or the kernel's OOM killer)";
                case 11 -> " (a crash in C code, often recursion deeper than the C stack)";
                default -> "";
            };
            return new SandboxResult(Outcome.KILLED_BY_SIGNAL, exit, stdout, stderr, truncated, wall,
                    "killed by " + SIGNALS.get(signal) + hint);
        }
        if (PythonTraceback.isMemoryError(stderr)) {
            return new SandboxResult(Outcome.MEMORY_LIMIT, exit, stdout, stderr, truncated, wall,
                    "memory limit of " + bytes(limits.memoryBytes()) + ": " + PythonTraceback.summary(stderr));
        }
        String summary = PythonTraceback.summary(stderr);
        return new SandboxResult(Outcome.FAILED, exit, stdout, stderr, truncated, wall,
                summary.isEmpty() ? "exit " + exit : summary);
    }

    private static Path createWorkDir(SandboxIsolation layers, String program) throws IOException {
        Path work = Files.createTempDirectory("rlstream-sandbox-");
        try {
            Path file = work.resolve(PROGRAM_FILE);
            Files.writeString(file, program == null ? "" : program, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
            if (layers.dropsToNobody()) {
                Files.setAttribute(work, "unix:uid", SandboxCommand.NOBODY);
                Files.setAttribute(work, "unix:gid", SandboxCommand.NOBODY);
            }
            return work;
        } catch (IOException | RuntimeException e) {
            deleteTree(work);
            throw e;
        }
    }

    /**
     * SIGKILL to the sandbox's process group (setsid made its pid the group id), to every
     * descendant seen now, and to the first process. With namespaces the last alone would do:
     * {@code --kill-child} takes PID 1 of the namespace with it, and the kernel then kills every
     * process left inside.
     */
    static void killTree(SandboxTools tools, SandboxIsolation layers, Process process) {
        List<ProcessHandle> descendants = List.of();
        try {
            descendants = process.descendants().toList();
        } catch (RuntimeException e) {
            // /proc unreadable: the group and namespace kills below still apply
        }
        if (layers.ownSession() && tools.kill().isPresent()) {
            try {
                Process kill = new ProcessBuilder(tools.kill().get().toString(), "-KILL", "--", "-" + process.pid())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
                kill.waitFor(DRAIN_MILLIS, TimeUnit.MILLISECONDS);
            } catch (IOException e) {
                // fall back to the per-process kills below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    /** Deletes the work dir without following links out of it; a directory the program made unreadable is opened first. */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    try {
                        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
                    } catch (IOException | RuntimeException e) {
                        // deletion below reports what is left
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(f);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
                    Files.deleteIfExists(f);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException | RuntimeException e) {
            System.err.println("rlstream sandbox: could not delete " + dir + ": " + e);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    static String seconds(Duration d) {
        long millis = d.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : String.format("%.1f s", millis / 1000.0);
    }

    static String bytes(long n) {
        if (n % (1024 * 1024) == 0) {
            return n / (1024 * 1024) + " MiB";
        }
        return n % 1024 == 0 ? n / 1024 + " KiB" : n + " bytes";
    }

    private static String firstLines(String text) {
        String trimmed = text.strip();
        return trimmed.length() <= 500 ? trimmed : trimmed.substring(0, 500) + "…";
    }
}
