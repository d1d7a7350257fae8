package io.rlstream.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time spent during a phase, by part: this JVM's threads grouped by name (a Streams app's
 * threads carry its application id, a client's network thread its client id), the rest of this
 * JVM (its garbage collector and JIT compiler threads where Linux names them in {@code /proc},
 * then the rest, such as threads that ended), and child processes such as the local broker. On
 * a machine with few cores, where the time goes is where the CPU goes.
 */
final class CpuMeter {

    /** Threads whose name contains {@code fragment} belong to {@code part}; the first matching rule wins. */
    record Rule(String fragment, String part) {
    }

    static final String OTHER = "this JVM, other threads";
    static final String GC = "this JVM, garbage collector";
    static final String JIT = "this JVM, JIT compiler";
    /** Linux reports thread CPU in clock ticks of 1/100 s (USER_HZ) on every common platform. */
    private static final double TICKS_PER_SECOND = 100;
    private static final Path TASKS = Path.of("/proc/self/task");

    private final List<Rule> rules;
    private final Map<String, Long> processes;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    /**
     * @param rules     thread name fragments to parts
     * @param processes other processes to measure, by part name (e.g. "local broker" to its pid)
     */
    CpuMeter(List<Rule> rules, Map<String, Long> processes) {
        this.rules = List.copyOf(rules);
        this.processes = Map.copyOf(processes);
    }

    /** CPU counters now; {@link Reading#stop()} turns them into what was used since. */
    Reading start() {
        return new Reading(threadTimes(), processCpuNanos(), childTimes(), vmThreadTimes());
    }

    final class Reading {
        private final Map<Long, Long> threadsAtStart;
        private final long processAtStart;
        private final Map<String, Long> childrenAtStart;
        private final Map<String, Map<String, Long>> vmThreadsAtStart;

        private Reading(Map<Long, Long> threadsAtStart, long processAtStart, Map<String, Long> childrenAtStart,
                Map<String, Map<String, Long>> vmThreadsAtStart) {
            this.threadsAtStart = threadsAtStart;
            this.processAtStart = processAtStart;
            this.childrenAtStart = childrenAtStart;
            this.vmThreadsAtStart = vmThreadsAtStart;
        }

        /** CPU seconds per part since {@link #start()}, largest first; empty where the JVM cannot tell. */
        Map<String, Double> stop() {
            Map<String, Long> nanos = new HashMap<>();
            long threadSum = 0;
            long[] ids = threads.getAllThreadIds();
            ThreadInfo[] infos = threads.getThreadInfo(ids);
            for (int i = 0; i < ids.length; i++) {
                long now = threads.isThreadCpuTimeSupported() ? threads.getThreadCpuTime(ids[i]) : -1;
                if (now < 0 || infos[i] == null) {
                    continue;
                }
                long used = now - threadsAtStart.getOrDefault(ids[i], 0L);
                threadSum += used;
                nanos.merge(part(infos[i].getThreadName()), used, Long::sum);
            }
            long process = processCpuNanos();
            long vmSum = 0;
            for (Map.Entry<String, Map<String, Long>> part : vmThreadTimes().entrySet()) {
                Map<String, Long> before = vmThreadsAtStart.getOrDefault(part.getKey(), Map.of());
                long used = part.getValue().entrySet().stream()
                        .mapToLong(e -> e.getValue() - before.getOrDefault(e.getKey(), 0L)).sum();
                vmSum += used;
                nanos.merge(part.getKey(), used, Long::sum);
            }
            if (process >= 0 && processAtStart >= 0) {
                nanos.merge(OTHER, Math.max(0, process - processAtStart - threadSum - vmSum), Long::sum);
            }
            Map<String, Long> children = childTimes();
            children.forEach((part, now) -> nanos.put(part, now - childrenAtStart.getOrDefault(part, 0L)));
            Map<String, Double> seconds = new LinkedHashMap<>();
            nanos.entrySet().stream().filter(e -> e.getValue() > 0)
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> seconds.put(e.getKey(), e.getValue() / 1e9));
            return seconds;
        }
    }

    private String part(String threadName) {
        for (Rule r : rules) {
            if (threadName.contains(r.fragment())) {
                return r.part();
            }
        }
        return OTHER;
    }

    private Map<Long, Long> threadTimes() {
        Map<Long, Long> times = new HashMap<>();
        if (threads.isThreadCpuTimeSupported()) {
            for (long id : threads.getAllThreadIds()) {
                long t = threads.getThreadCpuTime(id);
                if (t >= 0) {
                    times.put(id, t);
                }
            }
        }
        return times;
    }

    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    /**
     * CPU of the JVM's own threads, which {@link ThreadMXBean} does not list: garbage collector
     * and JIT compiler threads by their Linux thread names, part to thread id to nanoseconds.
     * Empty where there is no {@code /proc}.
     */
    private static Map<String, Map<String, Long>> vmThreadTimes() {
        Map<String, Map<String, Long>> times = new HashMap<>();
        try (var tasks = Files.list(TASKS)) {
            for (Path task : tasks.toList()) {
                String comm;
                String stat;
                try {
                    comm = Files.readString(task.resolve("comm")).trim();
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended meanwhile
                }
                String part = comm.startsWith("GC Thread") || comm.startsWith("G1 ") ? GC
                        : comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler") ? JIT : null;
                if (part == null) {
                    continue;
                }
                // Fields after the ")" that closes the name: state is field 3; utime and stime are 14 and 15.
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                times.computeIfAbsent(part, k -> new HashMap<>())
                        .put(task.getFileName().toString(), Math.round(ticks / TICKS_PER_SECOND * 1e9));
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return times;
    }

    private Map<String, Long> childTimes() {
        Map<String, Long> times = new HashMap<>();
        processes.forEach((part, pid) -> ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration())
                .ifPresent(d -> times.put(part, d.toNanos())));
        return times;
    }
}
