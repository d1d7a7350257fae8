package io.rlstream.cli;

import io.rlstream.producers.serve.InferenceServer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code rlstream serve}: the local DJL generator behind the HTTP protocols of vLLM and SGLang
 * ({@link InferenceServer}), so the rollout worker's openai and sglang backends run against a
 * separate generator process without a GPU.
 */
final class ServeCommand {

    static final String HELP = """
            Usage: rlstream serve --model DIR [--host H] [--port P] [--name NAME]
                   [--weight-version V]

            Serves a Hugging Face model folder (llama, qwen2, qwen3) over HTTP with the endpoints
            of vLLM's OpenAI-compatible server and SGLang's native server that the rollout worker
            uses, generating with the local DJL generator (CPU; one request at a time):

              GET  /health, /v1/models, /get_model_info, /is_paused
              POST /v1/completions, /v1/chat/completions       (vLLM)
              POST /generate                                   (SGLang)
              POST /update_weights_from_disk                   (SGLang weight sync)
              POST /pause, /resume, /reset_prefix_cache, /collective_rpc
                                                               (vLLM dev-mode weight sync)

            Every response carries the served weight version in the header X-Weight-Version;
            /v1/models and /get_model_info report it too, /generate in meta_info.weight_version.

              --model DIR          the model folder to serve (required)
              --host H             address to bind (default 127.0.0.1)
              --port P             port (default 8000, vLLM's; 0 any free port)
              --name NAME          model name in /v1/models and responses (default: the folder's name)
              --weight-version V   the version reported until the first weight update
                                   (default "default", as SGLang)
              --help               this text

            Prints the address once it serves; Ctrl-C stops it. docs/operations.md, "Generating
            with a separate server", has curl examples.
            """;

    private ServeCommand() {
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) {
        Args args;
        try {
            args = Args.parse(argv, List.of("help"));
            if (args.has("help")) {
                out.print(HELP);
                return 0;
            }
            args.rejectUnknown(List.of("model", "host", "port", "name", "weight-version"));
            if (!args.has("model")) {
                throw new Args.UsageException("--model DIR is required");
            }
        } catch (Args.UsageException e) {
            err.println("rlstream serve: " + e.getMessage());
            err.println("Run 'rlstream serve --help' for usage.");
            return 2;
        }
        Path model = args.path("model").toAbsolutePath();
        if (!Files.isDirectory(model)) {
            err.println("rlstream serve: --model " + model + " is not a folder");
            return 2;
        }
        // Quiet: the address line on stdout, warnings and errors only on stderr.
        System.getProperties().putIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        String host = args.get("host", "127.0.0.1");
        int port;
        try {
            port = Integer.parseInt(args.get("port", "8000"));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            err.println("rlstream serve: --port must be 0..65535, got " + args.get("port", ""));
            return 2;
        }
        String name = args.get("name", model.getFileName().toString());
        String version = args.get("weight-version", InferenceServer.DEFAULT_VERSION);
        InferenceServer server;
        try {
            server = InferenceServer.start(model, name, version, host, port);
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
