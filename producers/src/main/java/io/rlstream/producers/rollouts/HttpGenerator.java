package io.rlstream.producers.rollouts;

import com.fasterxml.jackson.databind.JsonNode;
import io.rlstream.tokens.Tokens;
import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.FinishReason;
import io.rlstream.events.PromptDispatch;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.model.generate.GenerationConfig;
import io.rlstream.model.hf.DecoderConfig;
import io.rlstream.model.tokenizer.HfTokenizer;
import io.rlstream.producers.rendering.PromptRenderer;
import io.rlstream.producers.rollouts.http.GenerateRequest;
import io.rlstream.producers.rollouts.http.MalformedResponseException;
import io.rlstream.producers.rollouts.http.OpenAiProtocol;
import io.rlstream.producers.rollouts.http.ServerCalls;
import io.rlstream.producers.rollouts.http.ServerProtocol;
import io.rlstream.producers.rollouts.http.ServerSample;
import io.rlstream.producers.rollouts.http.SglangProtocol;
import io.rlstream.producers.rollouts.http.SyncStep;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * generate.backend = openai or sglang: one request per dispatched group (n = G) to an inference
 * server, at most generate.max-concurrency in flight. Prompts are rendered to token ids here with
 * the model folder's tokenizer (only the tokenizer is loaded), so the server samples from exactly
 * the ids the trainer will score; the rollouts carry the server's token ids and log-probs. A group
 * whose request finally fails, times out or comes back malformed is G FAILED rollouts with the
 * reason. On each checkpoint the server reloads its weights ({@link ServerProtocol#syncSteps}); a
 * sync that fails leaves the rollouts tagged with the version still served.
 */
final class HttpGenerator implements RolloutGenerator {

    /** The sampled distribution is the whole softmax at the dispatch's temperature, as the local sampler's. */
    private static final double TOP_P = 1.0;

    private final String generatorId;
    private final ServerProtocol protocol;
    private final ServerCalls calls;
    private final HfTokenizer tokenizer;
    private final PromptRenderer renderer;
    private final int[] stopTokenIds;
    private final String model;
    private final Duration requestTimeout;
    private final Duration syncTimeout;
    private final ExecutorService requests;
    private final Random random;
    private final CheckpointCheck check;
    private volatile long version;

    HttpGenerator(String generatorId, long seed, ServerProtocol protocol, ServerCalls calls, HfTokenizer tokenizer,
            PromptRenderer renderer, int[] stopTokenIds, String model, int maxConcurrency, Duration requestTimeout,
            Duration syncTimeout, long startVersion, CheckpointCheck check) {
        this.check = check;
        this.generatorId = generatorId;
        this.protocol = protocol;
        this.calls = calls;
        this.tokenizer = tokenizer;
        this.renderer = renderer;
        this.stopTokenIds = stopTokenIds.clone();
        this.model = model;
        this.requestTimeout = requestTimeout;
        this.syncTimeout = syncTimeout;
        this.random = new Random(seed);
        this.version = startVersion;
        this.requests = Executors.newFixedThreadPool(maxConcurrency, r -> {
            Thread t = new Thread(r, generatorId + "-http");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The generator of {@code config}'s backend for the model whose tokenizer, config.json and
     * generation_config.json are in {@code modelFolder}, serving {@code version}.
     */
    static HttpGenerator open(WorkerConfig config, Path modelFolder, long version) {
        ServerProtocol protocol = switch (config.backend()) {
            case OPENAI -> new OpenAiProtocol();
            case SGLANG -> new SglangProtocol();
            case LOCAL -> throw new IllegalArgumentException("the local backend does not generate over HTTP");
        };
        HfTokenizer tokenizer;
        DecoderConfig decoder;
        GenerationConfig generation;
        CheckpointCheck check;
        try {
            check = CheckpointCheck.ofFolder(modelFolder);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read the weights' headers of " + modelFolder + ": " + e.getMessage(), e);
        }
        try {
            tokenizer = HfTokenizer.load(modelFolder);
            decoder = DecoderConfig.read(modelFolder);
            generation = GenerationConfig.read(modelFolder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the tokenizer and config of " + modelFolder
                    + " (the http backends render prompts with the model's own tokenizer)", e);
        }
        Duration timeout = Duration.ofMillis(config.getLong(WorkerConfig.REQUEST_TIMEOUT_MS));
        ServerCalls calls = new ServerCalls(URI.create(config.getString(WorkerConfig.URL)),
                config.getInt(WorkerConfig.RETRIES), Duration.ofSeconds(10), config.bearerToken());
        return new HttpGenerator(config.getString(WorkerConfig.WORKER_ID), config.getLong(WorkerConfig.SEED), protocol,
                calls, tokenizer, new PromptRenderer(tokenizer, config.chatTemplateUse(), config.enableThinking(),
                        decoder.vocabSize()), stopTokenIds(decoder, generation), config.getString(WorkerConfig.SERVED_MODEL),
                config.getInt(WorkerConfig.MAX_CONCURRENCY), timeout,
                Duration.ofMillis(config.getLong(WorkerConfig.SYNC_TIMEOUT_MS)), version, check);
    }

    /** As the local policy stops: generation_config.json's eos_token_id, else config.json's (Policy.stopTokenIds). */
    static int[] stopTokenIds(DecoderConfig config, GenerationConfig generation) {
        Set<Integer> ids = new LinkedHashSet<>(generation.eosTokenIds());
        if (ids.isEmpty()) {
            ids.addAll(config.eosTokenIds());
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public List<Rollout> generate(List<PromptDispatch> dispatches) throws InterruptedException {
        long served = version;
        List<Future<List<Rollout>>> pending = new ArrayList<>();
        for (PromptDispatch d : dispatches) {
            int[] prompt;
            try {
                prompt = renderer.render(d);
            } catch (RuntimeException e) {
                List<Rollout> failed = RolloutRecords.failed(generatorId, d, served, "cannot tokenize prompt: " + e.getMessage());
                pending.add(java.util.concurrent.CompletableFuture.completedFuture(failed));
                continue;
            }
            GenerateRequest request = new GenerateRequest(model, prompt, d.getGroupSize(), d.getTemperature(), TOP_P,
                    d.getMaxNewTokens(), stopTokenIds, random.nextInt(Integer.MAX_VALUE));
            pending.add(requests.submit(() -> group(d, request, served)));
        }
        List<Rollout> out = new ArrayList<>();
        try {
            for (Future<List<Rollout>> f : pending) {
                out.addAll(f.get());
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("a generation task failed unexpectedly", e.getCause());
        } catch (InterruptedException e) {
            pending.forEach(f -> f.cancel(true));
            throw e;
        }
        return out;
    }

    /** One group: its request, its answer as G rollouts, or G FAILED rollouts with the reason. */
    private List<Rollout> group(PromptDispatch d, GenerateRequest request, long served) {
        List<ServerSample> samples;
        try {
            JsonNode answer = calls.post(protocol.generatePath(), protocol.generateBody(request), requestTimeout);
            samples = protocol.parseGenerate(answer, request.n());
        } catch (ServerCalls.ServerCallException e) {
            return RolloutRecords.failed(generatorId, d, served, "generation request failed: " + e.getMessage());
        } catch (MalformedResponseException e) {
            return RolloutRecords.failed(generatorId, d, served, "malformed answer from the server: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return RolloutRecords.failed(generatorId, d, served, "generation interrupted (the worker is stopping)");
        } catch (RuntimeException e) {
            return RolloutRecords.failed(generatorId, d, served, "generation failed: " + e);
        }
        try {
            return rollouts(d, request, samples, served);
        } catch (RuntimeException e) {
            return RolloutRecords.failed(generatorId, d, served, "cannot make rollouts of the server's answer: " + e);
        }
    }

    private List<Rollout> rollouts(PromptDispatch d, GenerateRequest request, List<ServerSample> samples, long served) {
        List<Rollout> out = new ArrayList<>(samples.size());
        Instant now = Instant.now();
        for (int i = 0; i < samples.size(); i++) {
            ServerSample s = samples.get(i);
            long v = s.weightVersion() != null ? s.weightVersion() : served;
            out.add(Tokens.pack(RolloutRecords.base(generatorId, d, i, v, now), request.promptTokenIds(), s.tokenIds(),
                            s.logprobs())
                    .setResponseText(tokenizer.decode(s.tokenIds(), true))
                    .setFinishReason(s.truncated() ? FinishReason.LENGTH : FinishReason.STOP)
                    .setStatus(SampleStatus.OK)
                    .build());
        }
        return out;
    }

    @Override
    public WeightSync load(CheckpointPublished checkpoint) throws InterruptedException {
        Path dir;
        try {
            dir = Path.of(URI.create(checkpoint.getUri()));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("uri '" + checkpoint.getUri() + "' is not a file URI: " + e.getMessage(), e);
        }
        if (java.nio.file.Files.isDirectory(dir)) {
            // a folder this worker sees is checked whole before the server is asked (a server would load NaN weights);
            // one it does not see is the server's to judge (the folders need only be shared with the server)
            check.verify(checkpoint);
        }
        long start = System.nanoTime();
        String failure = sync(dir, checkpoint.getVersion());
        if (failure == null) {
            version = checkpoint.getVersion();
        }
        return new WeightSync(true, (System.nanoTime() - start) / 1e9, failure);
    }

    /** Runs the protocol's sync steps (and its clean-up once the first went through); null on success, else why not. */
    private String sync(Path dir, long v) throws InterruptedException {
        String failure = null;
        boolean started = false;
        for (SyncStep step : protocol.syncSteps(dir, v)) {
            failure = post(step);
            if (failure != null) {
                break;
            }
            started = true;
        }
        Optional<SyncStep> cleanup = protocol.syncCleanup();
        if (started && cleanup.isPresent()) {
            String cleanupFailure = post(cleanup.get());
            if (cleanupFailure != null) {
                failure = (failure == null ? "" : failure + "; then ") + cleanupFailure;
            }
        }
        return failure == null ? null : "loading " + dir + " as version " + v + ": " + failure;
    }

    private String post(SyncStep step) throws InterruptedException {
        try {
            JsonNode answer = calls.post(step.path(), step.body(), syncTimeout);
            if (step.reportsSuccess() && (answer == null || !answer.path("success").asBoolean(false))) {
                return step.path() + " answered success = false: " + (answer == null ? "(empty)" : answer.path("message").asText(""));
            }
            return null;
        } catch (ServerCalls.ServerCallException | MalformedResponseException e) {
            return e.getMessage();
        }
    }

    @Override
    public long servedVersion() {
        return version;
    }

    @Override
    public void close() {
        requests.shutdownNow();
        tokenizer.close();
    }
}
