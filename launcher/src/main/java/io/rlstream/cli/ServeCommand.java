package io.rlstream.cli;

import io.rlstream.producers.serve.InferenceServer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rlstream serve}: the local DJL generator behind the HTTP protocols of vLLM and SGLang
 * ({@link InferenceServer}), so the rollout worker's openai and sglang backends run against a
 * separate generator process without a GPU.
 */
@Command(name = "serve", description = {
        "Serves a Hugging Face model folder (llama, qwen2, qwen3) over HTTP with the endpoints of vLLM's OpenAI-compatible"
                + " server and SGLang's native server that the rollout worker uses, generating with the local DJL generator"
                + " (CPU). One generation runs at a time; requests waiting with the same sampling settings run together as"
                + " one batch, each with the tokens it would get alone:",
        "",
        "  GET  /health, /v1/models, /get_model_info, /is_paused",
        "  POST /v1/completions, /v1/chat/completions       (vLLM)",
        "  POST /generate                                   (SGLang)",
        "  POST /update_weights_from_disk                   (SGLang weight sync)",
        "  POST /pause, /resume, /reset_prefix_cache, /collective_rpc",
        "                                                   (vLLM dev-mode weight sync)",
        "",
        "Every response carries the served weight version in the header X-Weight-Version; /v1/models and /get_model_info"
                + " report it too, /generate in meta_info.weight_version.", ""},
        footer = {"%nPrints the address once it serves; Ctrl-C stops it. docs/operations.md, \"Generating with a separate"
                + " server\", has curl examples."})
final class ServeCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;
    @Option(names = "--model", paramLabel = "DIR", description = "The model folder to serve (required).")
    Path modelDir;
    @Option(names = "--host", paramLabel = "H", description = "Address to bind (default 127.0.0.1).")
    String host = "127.0.0.1";
    @Option(names = "--port", paramLabel = "P", description = "Port (default 8000, vLLM's; 0 any free port).")
    int port = 8000;
    @Option(names = "--name", paramLabel = "NAME", description = "Model name in /v1/models and responses (default: the"
            + " folder's name).")
    String modelName;
    @Option(names = "--weight-version", paramLabel = "V", description = "The version reported until the first weight"
            + " update (default: the folder's metadata.json \"version\", as the worker reads it, else \"default\", as SGLang).")
    String weightVersion;
    @Option(names = "--max-batch-rows", paramLabel = "R", description = "Most rows (prompts x n) of waiting requests batched"
            + " into one generation (default 64; a larger request runs alone).")
    int batchRows = InferenceServer.DEFAULT_MAX_BATCH_ROWS;
    @Option(names = "--token-file", paramLabel = "FILE", description = "A file whose first line is the bearer token that"
            + " weight updates, pause/resume and cache resets must carry (default: the environment variable "
            + io.rlstream.producers.serve.AdminToken.ENV + "; neither: those endpoints are open, keep the server on"
            + " 127.0.0.1). Workers send it from their setting generate.token or generate.token.file.")
    Path tokenFile;

    private final Terminal terminal;

    ServeCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    /** {@code rlstream serve ARGS}. */
    static int run(List<String> argv, PrintStream out, PrintStream err) {
        List<String> args = new ArrayList<>(List.of("serve"));
        args.addAll(argv);
        return Rlstream.run(args, out, err);
    }

    @Override
    public Integer call() {
        PrintStream out = terminal.out();
        PrintStream err = terminal.err();
        if (modelDir == null) {
            throw new UsageException("--model DIR is required");
        }
        Path model = modelDir.toAbsolutePath();
        if (!Files.isDirectory(model)) {
            throw new UsageException("--model " + model + " is not a folder");
        }
        if (port < 0 || port > 65535) {
            throw new UsageException("--port must be 0..65535, got " + port);
        }
        if (batchRows < 1) {
            throw new UsageException("--max-batch-rows must be an integer >= 1, got " + batchRows);
        }
        String name = modelName != null ? modelName : model.getFileName().toString();
        String version = weightVersion != null ? weightVersion : InferenceServer.initialVersion(model);
        InferenceServer server;
        try {
            java.util.Optional<io.rlstream.producers.serve.AdminToken> token =
                    io.rlstream.producers.serve.AdminToken.resolve(tokenFile, System.getenv());
            server = InferenceServer.start(model, name, version, host, port, batchRows, token.orElse(null));
        } catch (RuntimeException e) {
            err.println("rlstream serve: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "serve-shutdown"));
        out.println("rlstream serve: " + name + " (weight version " + version + ") at " + server.address()
                + "  (vLLM: " + server.address() + "/v1/completions, SGLang: " + server.address() + "/generate)");
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
