package io.rlstream.monitoring.health;

import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Whether a service can go on ({@code alive}: false means the process should exit) and whether it
 * is doing its work now ({@code ready}: false while it starts or rebalances), with the reason when
 * either is false. Served as {@code /health} and {@code /ready} next to {@code /metrics}, and
 * watched by {@code rlstream <service>}, which exits non-zero with the reason when a service
 * is no longer alive: an orchestrator then restarts it instead of seeing a live process with a
 * dead thread (issue 19).
 */
public record Health(boolean alive, boolean ready, String reason) {

    public static final Health UP = new Health(true, true, "ok");

    /** A check that can be asked at any time, from any thread. */
    @FunctionalInterface
    public interface Check {
        Health health();
    }

    public static Health starting(String what) {
        return new Health(true, false, what + " is starting");
    }

    public static Health dead(String reason) {
        return new Health(false, false, reason);
    }

    /**
     * A Kafka Streams client: dead in ERROR or PENDING_ERROR, or NOT_RUNNING when nobody closed it;
     * ready in RUNNING (not while CREATED or REBALANCING).
     */
    public static Check ofStreams(String name, Supplier<KafkaStreams.State> state, Supplier<Boolean> closing) {
        return () -> {
            KafkaStreams.State s = state.get();
            return switch (s) {
                case RUNNING -> UP;
                case CREATED, REBALANCING -> new Health(true, false, name + " is " + s.name().toLowerCase());
                case PENDING_SHUTDOWN, NOT_RUNNING -> closing.get() ? new Health(true, false, name + " is stopping")
                        : dead(name + " stopped (Kafka Streams state " + s + "); see the log above for the cause");
                case ERROR, PENDING_ERROR -> dead(name + " failed (Kafka Streams state " + s
                        + "); see the log above for the exception");
            };
        };
    }

    /**
     * A service that knows when it starts doing its work (its model loaded, its inputs read): until
     * then its {@code /ready} answers 503 "starting", so an orchestrator does not count a process
     * that is still loading weights as serving.
     */
    @FunctionalInterface
    public interface Readiness {
        /** True once the service does its work; read from any thread. */
        boolean ready();
    }

    /** A service thread: dead once it has ended without being asked to, with its exception if it threw one. */
    public static Check ofThread(String name, Thread thread, Supplier<Throwable> failure, Supplier<Boolean> closing) {
        return ofThread(name, thread, failure, closing, () -> true);
    }

    /**
     * As {@link #ofThread(String, Thread, Supplier, Supplier)}, and not ready while the thread runs
     * but {@code readiness} says it is still starting.
     */
    public static Check ofThread(String name, Thread thread, Supplier<Throwable> failure, Supplier<Boolean> closing,
            Readiness readiness) {
        return () -> {
            if (thread.isAlive()) {
                return readiness.ready() ? UP : starting(name);
            }
            if (closing.get()) {
                return new Health(true, false, name + " is stopping");
            }
            Throwable t = failure.get();
            return dead(name + " thread ended" + (t == null ? "" : ": " + t));
        };
    }

    /** All of them: alive if every one is, ready if every one is; the first reason that is not ok. */
    public static Check all(List<Check> checks) {
        return () -> {
            boolean alive = true;
            boolean ready = true;
            String reason = null;
            for (Check c : checks) {
                Health h = c.health();
                if ((!h.alive() || !h.ready()) && (reason == null || (!h.alive() && alive))) {
                    reason = h.reason();
                }
                alive &= h.alive();
                ready &= h.ready();
            }
            return new Health(alive, ready, reason == null ? "ok" : reason);
        };
    }
}
