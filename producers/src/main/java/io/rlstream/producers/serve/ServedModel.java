package io.rlstream.producers.serve;

import io.rlstream.model.Policy;
import io.rlstream.model.generate.Completion;
import io.rlstream.model.generate.DecoderGenerator;
import io.rlstream.model.generate.GenerationConfig;
import io.rlstream.model.generate.SamplingParams;
import io.rlstream.model.tokenizer.HfTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The policy a server generates with, its served weight version, and the one lock around it (DJL's
 * model and the generator are not thread-safe). Generation runs on one thread that takes queued
 * requests in order and batches the waiting requests of the same sampling settings with the first
 * (up to a number of rows), each row keeping the seed it would have alone, so a request gives the
 * same tokens alone or batched. A weight update loads the new folder whole into a second policy
 * first and swaps it in between batches, so a folder that fails to load leaves the old weights
 * serving. A pause (vLLM's /pause) holds the queue until resumed.
 */
final class ServedModel implements AutoCloseable {

    /** What a load produced: the policy, its generation defaults and where it came from. */
    private record Loaded(Policy policy, DecoderGenerator generator, GenerationConfig generation, Path dir,
                          String version) {}

    /** A request's rows waiting for the generation thread. */
    private record Pending(List<int[]> rows, SamplingParams params, long[] seeds, CompletableFuture<Result> done) {}

    private final ReentrantLock lock = new ReentrantLock(true);
    private final String name;
    private final int maxBatchRows;
    private final LinkedBlockingDeque<Pending> queue = new LinkedBlockingDeque<>();
    private final Thread generation;
    private boolean paused;
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicLong batches = new java.util.concurrent.atomic.AtomicLong();
    private volatile Loaded current;

    /**
     * @param maxBatchRows most rows (prompts times n) that requests batched together may have; a
     *     larger request runs alone
     */
    ServedModel(Path dir, String name, String version, int maxBatchRows) {
        this.name = Objects.requireNonNull(name);
        if (maxBatchRows < 1) {
            throw new IllegalArgumentException("max batch rows must be >= 1, got " + maxBatchRows);
        }
        this.maxBatchRows = maxBatchRows;
        this.current = load(dir, version);
        this.generation = new Thread(this::generateLoop, "inference-generation");
        generation.setDaemon(true);
        generation.start();
    }

    private static Loaded load(Path dir, String version) {
        Policy policy = Policy.load(dir);
        String nonFinite = io.rlstream.producers.rollouts.CheckpointCheck.nonFinite(policy);
        if (nonFinite != null) {
            policy.close();
            throw new IllegalArgumentException(dir + " has a non-finite weight in " + nonFinite);
        }
        try {
            return new Loaded(policy, new DecoderGenerator(policy.decoderModel()), GenerationConfig.read(dir),
                    dir.toAbsolutePath(), version);
        } catch (IOException | RuntimeException e) {
            policy.close();
            throw new IllegalArgumentException("cannot read " + GenerationConfig.FILE + " of " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The served model's name (/v1/models, "model" of every response). */
    String name() {
        return name;
    }

    /** The weight version now served. */
    String version() {
        return current.version();
    }

    /** The folder now served. */
    Path dir() {
        return current.dir();
    }

    String modelType() {
        return current.policy().config().architecture().modelType();
    }

    /** The policy's tokenizer; use it inside {@link #exclusive} (a weight update closes the old one). */
    HfTokenizer tokenizer() {
        return current.policy().tokenizer();
    }

    /** The network; use it inside {@link #exclusive}. */
    io.rlstream.model.decoder.DecoderModel decoderModel() {
        return current.policy().decoderModel();
    }

    int vocabSize() {
        return current.policy().config().vocabSize();
    }

    int contextLength() {
        return current.policy().contextLength();
    }

    /** The model's own stop ids (eos of generation_config.json, else of config.json). */
    int[] eosTokenIds() {
        return current.policy().stopTokenIds();
    }

    /**
     * Sampling defaults as vLLM takes them with {@code --generation-config auto}: temperature,
     * top_p and top_k of generation_config.json when present, else 1, 1 and off.
     */
    SamplingParams defaults(int maxNewTokens) {
        Loaded l = current;
        return l.generation().samplingParams(l.policy().config(), maxNewTokens);
    }

    /**
     * Runs {@code work} holding the model: requests run one at a time, and a weight update swaps
     * the policy (and closes the old one) only between them, so the tokenizer and model read by
     * {@code work} stay the same throughout.
     */
    <T> T exclusive(java.util.function.Supplier<T> work) {
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    /** A generation under the lock, with the version it was generated by. */
    record Result(List<Completion> completions, String version) {}

    /**
     * Generates for every row, row r drawing from the r-th split of {@code seed} (as
     * {@link DecoderGenerator#generate(List, SamplingParams, long)}), on the generation thread,
     * possibly batched with other requests; waits for the result. Not to be called inside
     * {@link #exclusive}.
     */
    Result generate(List<int[]> rows, SamplingParams params, long seed) {
        if (lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("generate() must not be called while holding the model");
        }
        SplittableRandom root = new SplittableRandom(seed);
        long[] seeds = new long[rows.size()];
        for (int r = 0; r < seeds.length; r++) {
            seeds[r] = root.nextLong();
        }
        Pending p = new Pending(List.copyOf(rows), params, seeds, new CompletableFuture<>());
        if (closed) {
            throw new ApiException(503, "the server is shutting down");
        }
        queue.add(p);
        try {
            return p.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted while waiting for generation");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ApiException api) {
                throw api;
            }
            if (cause instanceof IllegalArgumentException bad) {
                throw ApiException.badRequest(bad.getMessage());
            }
            throw new ApiException(500, "generation failed: " + cause);
        }
    }

    private void generateLoop() {
        while (!closed) {
            Pending first;
            try {
                awaitRunning();
                first = queue.take();
            } catch (InterruptedException e) {
                break;
            }
            if (paused()) { // paused while this thread waited for a request: keep it queued
                queue.addFirst(first);
                continue;
            }
            List<Pending> batch = new ArrayList<>();
            batch.add(first);
            lock.lock();
            try {
                int rows = first.rows().size();
                for (Iterator<Pending> it = queue.iterator(); it.hasNext(); ) {
                    Pending p = it.next();
                    if (p.params().equals(first.params()) && rows + p.rows().size() <= maxBatchRows) {
                        it.remove();
                        batch.add(p);
                        rows += p.rows().size();
                    }
                }
                List<int[]> all = new ArrayList<>(rows);
                long[] seeds = new long[rows];
                int at = 0;
                for (Pending p : batch) {
                    all.addAll(p.rows());
                    System.arraycopy(p.seeds(), 0, seeds, at, p.seeds().length);
                    at += p.seeds().length;
                }
                Loaded l = current;
                batches.incrementAndGet();
                List<Completion> out = l.generator().generate(all, first.params(), seeds,
                        DecoderGenerator.Mode.KV_CACHE);
                at = 0;
                for (Pending p : batch) {
                    p.done().complete(new Result(List.copyOf(out.subList(at, at + p.rows().size())), l.version()));
                    at += p.rows().size();
                }
            } catch (RuntimeException | Error e) {
                for (Pending p : batch) {
                    p.done().completeExceptionally(e);
                }
            } finally {
                lock.unlock();
            }
        }
        for (Pending p; (p = queue.poll()) != null; ) {
            p.done().completeExceptionally(new ApiException(503, "the server is shutting down"));
        }
    }

    /** Generations run so far (each one batch); for tests. */
    long batches() {
        return batches.get();
    }

    /** Requests waiting for the generation thread; for tests. */
    int queued() {
        return queue.size();
    }

    /** vLLM's pause: queued and new requests wait; returns once the batch in progress is done. */
    void pause() {
        synchronized (this) {
            paused = true;
        }
        exclusive(() -> null);
    }

    synchronized void resume() {
        paused = false;
        notifyAll();
    }

    synchronized boolean paused() {
        return paused;
    }

    private synchronized void awaitRunning() throws InterruptedException {
        while (paused && !closed) {
            wait();
        }
    }

    /**
     * Serves the weights of {@code dir} from now on, tagged {@code version}.
     *
     * @throws IllegalArgumentException with the reason when the folder does not load; the old
     *     weights are still served
     */
    void reload(Path dir, String version) {
        Loaded next = load(dir, version);
        Loaded old;
        lock.lock();
        try {
            old = current;
            current = next;
        } finally {
            lock.unlock();
        }
        // Nothing holds the old policy now: requests take the current one under the lock.
        lock.lock();
        try {
            old.policy().close();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
        resume();
        generation.interrupt();
        try {
            generation.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lock.lock();
        try {
            current.policy().close();
        } finally {
            lock.unlock();
        }
    }
}
