package io.rlstream.ops;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Helpers shared by the child-process wrappers: free loopback ports, launching with a parent
 * watchdog, stopping a process tree, reading a log's tail. Every process launched here is also
 * stopped by one JVM shutdown hook, so children never outlive a normally exiting parent; a parent
 * killed hard is caught by {@link ChildMain}'s watchdog in the child.
 */
final class ChildProcesses {

    /** Loopback address every local process binds to. */
    static final String LOOPBACK = "127.0.0.1";

    /** Property the child watchdog reads: the pid of the JVM that launched it. */
    static final String PARENT_PID_PROPERTY = "rlstream.parent.pid";

    private static final Set<Process> LIVE = new LinkedHashSet<>();
    private static boolean hookInstalled;
    private static volatile CountDownLatch reapAfter;
    private static volatile Duration reapAfterMax = Duration.ZERO;
    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private ChildProcesses() {
    }

    /** A TCP port that was free on 127.0.0.1 a moment ago (a small race remains; callers retry on bind errors). */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + LOOPBACK, e);
        }
    }

    /** True if something accepts TCP connections on 127.0.0.1:port. */
    static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(LOOPBACK, port), 250);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The java launcher of this JVM. */
    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** JVM options from a system property (space-separated) if set, else the defaults. */
    static List<String> jvmOptions(String property, String defaults) {
        String value = System.getProperty(property);
        String options = value == null || value.isBlank() ? defaults : value;
        return java.util.Arrays.stream(options.trim().split("\\s+")).filter(o -> !o.isEmpty()).toList();
    }

    /**
     * The start of a child JVM's command line, mutable for the caller to go on: this JVM's java,
     * the options of {@code property} (else {@code defaults}), headless.
     */
    static List<String> javaCommand(String property, String defaults) {
        List<String> command = new java.util.ArrayList<>();
        command.add(javaExecutable());
        command.addAll(jvmOptions(property, defaults));
        command.add("-Djava.awt.headless=true");
        return command;
    }

    /**
     * The command line of {@code rlstream ...} in a child JVM up to the command's own arguments:
     * java with the options of {@code property} (else {@code defaults}), DJL offline, the watchdog,
     * this JVM's class path, under {@link ChildMain} (it dies with this JVM). The caller appends the
     * command and its flags.
     */
    static List<String> rlstreamCommand(String property, String defaults) {
        List<String> command = javaCommand(property, defaults);
        command.add("-Dai.djl.offline=true");
        command.addAll(watchdogOptions());
        command.add("-cp");
        command.add(ownClasspath());
        command.add(ChildMain.class.getName());
        command.add(GeneratorServerProcess.LAUNCHER_MAIN);
        return command;
    }

    /** The JVM options every child gets: the parent pid for its watchdog. */
    static List<String> watchdogOptions() {
        return List.of("-D" + PARENT_PID_PROPERTY + "=" + ProcessHandle.current().pid());
    }

    /** Where a class was loaded from (a jar or a classes folder), as a classpath entry. */
    static String codeSource(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("cannot tell where " + type.getName() + " was loaded from", e);
        }
    }

    /**
     * This JVM's classpath, with the ops classes added in front if they are not on it already, every
     * entry absolute: children run in folders of their own, where an entry given as
     * {@code launcher/target/classes} would not resolve.
     */
    static String ownClasspath() {
        String ops = Path.of(codeSource(ChildMain.class)).toAbsolutePath().toString();
        String cp = System.getProperty("java.class.path", "");
        List<String> entries = new ArrayList<>();
        for (String entry : cp.split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                entries.add(Path.of(entry).toAbsolutePath().toString());
            }
        }
        if (!entries.contains(ops)) {
            entries.add(0, ops);
        }
        return String.join(File.pathSeparator, entries);
    }

    /** Starts a process and registers it for the shutdown hook. Output goes to {@code log} (appended). */
    static Process launch(List<String> command, Path workDir, Path log) throws IOException {
        List<String> full = new ArrayList<>();
        // A terminal's Ctrl-C signals its whole process group; in a session of their own the
        // children wait for the parent to stop its services first (and still die with it:
        // ChildMain watches the parent's pid).
        if (Files.isExecutable(SETSID)) {
            full.add(SETSID.toString());
        }
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        List<String> shown = new ArrayList<>(command);
        int cp = shown.indexOf("-cp");
        if (cp >= 0 && cp + 1 < shown.size()) {
            shown.set(cp + 1, "<" + shown.get(cp + 1).split(File.pathSeparator).length + " classpath entries>");
        }
        Files.writeString(log, "# " + String.join(" ", shown) + System.lineSeparator(), StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        synchronized (LIVE) {
            installHook();
            Process process = builder.start();
            LIVE.add(process);
            return process;
        }
    }

    private static void installHook() {
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(new Thread(ChildProcesses::stopAll, "rlstream-child-reaper"));
            hookInstalled = true;
        }
    }

    /**
     * Makes the shutdown hook wait (at most {@code max}) until {@code released} opens before it
     * stops the children, so that an application's own shutdown can first stop the services that
     * use them (JVM shutdown hooks run concurrently).
     */
    static void reapAfter(CountDownLatch released, Duration max) {
        reapAfterMax = max;
        reapAfter = released;
    }

    private static void stopAll() {
        CountDownLatch gate = reapAfter;
        if (gate != null) {
            try {
                gate.await(reapAfterMax.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<Process> processes;
        synchronized (LIVE) {
            processes = new ArrayList<>(LIVE);
        }
        // Signal all first, then wait, so that several children shut down in parallel.
        List<ProcessHandle> handles = new ArrayList<>();
        for (Process p : processes) {
            handles.addAll(p.descendants().toList());
            handles.add(p.toHandle());
        }
        handles.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ProcessHandle h : handles) {
            waitFor(h, deadline);
        }
        handles.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /**
     * Stops a process and its descendants: a polite signal (SIGTERM), up to {@code grace} to exit,
     * then SIGKILL. Idempotent.
     */
    static void stop(Process process, Duration grace) {
        if (process == null) {
            return;
        }
        List<ProcessHandle> handles = new ArrayList<>(process.descendants().toList());
        handles.add(process.toHandle());
        handles.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle h : handles) {
            waitFor(h, deadline);
        }
        for (ProcessHandle h : handles) {
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        }
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (LIVE) {
            LIVE.remove(process);
        }
    }

    private static void waitFor(ProcessHandle handle, long deadlineNanos) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            return;
        }
        try {
            handle.onExit().get(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // timed out or failed: the caller escalates
        }
    }

    /** The last {@code lines} lines of a log file, or a note that there is none. */
    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            List<String> last = all.subList(Math.max(0, all.size() - lines), all.size());
            return String.join(System.lineSeparator(), last);
        } catch (NoSuchFileException e) {
            return "(no log file " + log + ")";
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** True if the log says a port could not be bound (we then retry with other ports). */
    static boolean portClash(Path log) {
        String text = tail(log, 200);
        // Quarkus (the schema registry) and rlstream serve check the port themselves and exit with code 1
        return text.contains("Address already in use") || text.contains("BindException")
                || text.contains("Port already bound") || text.contains("seems to be in use by another process")
                || text.contains("(in use? pick another --port");
    }

    /** Deletes a folder tree; no error if it does not exist. */
    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static String seconds(long startNanos) {
        return String.format(java.util.Locale.ROOT, "%.1f s", (System.nanoTime() - startNanos) / 1e9);
    }
}
