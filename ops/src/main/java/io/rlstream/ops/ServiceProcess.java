package io.rlstream.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A local service run as a child process (the Kafka broker, the schema registry): its launch,
 * relaunched on fresh ports when the log shows a port clash, the wait until it answers, and its
 * stop. A subclass supplies what differs: the command (which picks ports and writes files), the
 * readiness probe and the address a failure names.
 */
abstract class ServiceProcess implements AutoCloseable {

    /** Work on disk done before the first launch (cleaning the folder). */
    interface Preparation {
        void run() throws IOException;
    }

    private static final int ATTEMPTS = 3;

    private final String name;
    private final Path workDir;
    private final Path log;
    private final Duration stopGrace;
    private Process process;
    private int attempt;
    private long startedNanos;

    /**
     * @param name      what a message calls it: "the Kafka broker"
     * @param workDir   its working folder
     * @param log       where its stdout and stderr go
     * @param stopGrace how long {@link #close()} waits after SIGTERM before SIGKILL
     */
    ServiceProcess(String name, Path workDir, Path log, Duration stopGrace) {
        this.name = name;
        this.workDir = workDir;
        this.log = log;
        this.stopGrace = stopGrace;
    }

    /** The command line of one attempt; picks its ports and writes the files the process reads. */
    abstract List<String> command() throws IOException;

    /** True once the service serves requests. */
    abstract boolean answers();

    /** Where the service is expected to answer, for the timeout message. */
    abstract String address();

    /** Prepares the folder and starts the first attempt without waiting; stops it on failure. */
    void launch(Preparation preparation) {
        try {
            preparation.run();
            spawn();
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot start " + name + " in " + workDir + ": " + e, e);
        }
    }

    /**
     * Starts the process again after it stopped (a killed broker node), with the same command
     * rules and without preparing the folder: what it wrote there stays.
     */
    void relaunch() {
        if (isAlive()) {
            throw new IllegalStateException(name + " is still running (pid " + pid() + ")");
        }
        attempt = 0;
        try {
            spawn();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + " again in " + workDir + ": " + e, e);
        }
    }

    private void spawn() throws IOException {
        attempt++;
        List<String> next = command();
        startedNanos = System.nanoTime();
        process = ChildProcesses.launch(next, workDir, log);
    }

    /** {@link #awaitReady}, stopping the process if it does not come up. */
    void awaitReadyOrStop(Duration timeout) {
        try {
            awaitReady(timeout);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Waits until the probe answers; relaunches (at most {@value #ATTEMPTS} attempts in all) when
     * the process died of a port clash.
     *
     * @throws IllegalStateException with the log file and its tail if it exits or the time runs out
     */
    void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                if (ChildProcesses.portClash(log) && attempt < ATTEMPTS) {
                    try {
                        spawn();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    continue;
                }
                throw new IllegalStateException(name + " exited with code " + process.exitValue()
                        + " while starting; see " + log + ":\n" + ChildProcesses.tail(log, 30));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not answer at " + address() + " within "
                        + timeout.toSeconds() + " s; see " + log + ":\n" + ChildProcesses.tail(log, 30));
            }
            if (answers()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw interrupted(e);
            }
        }
    }

    /** Restores the interrupt flag and says what was being waited for. */
    IllegalStateException interrupted(InterruptedException e) {
        Thread.currentThread().interrupt();
        return new IllegalStateException("interrupted while waiting for " + name, e);
    }

    /** The process's stdout and stderr. */
    public Path logFile() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    long startedNanos() {
        return startedNanos;
    }

    /** SIGKILL to the process and its descendants, at once: no shutdown hook runs, nothing is flushed. */
    public void kill() {
        if (process == null) {
            return;
        }
        ProcessHandle.of(pid()).ifPresent(h -> {
            List<ProcessHandle> tree = new java.util.ArrayList<>(h.descendants().toList());
            tree.add(h);
            tree.forEach(ProcessHandle::destroyForcibly);
            tree.forEach(t -> {
                try {
                    t.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    // reported by isAlive
                }
            });
        });
        close(); // forgets the dead process (nothing left to signal)
    }

    /** SIGTERM to the process tree, SIGKILL after the grace period; idempotent. */
    @Override
    public void close() {
        ChildProcesses.stop(process, stopGrace);
    }
}
