package io.rlstream.producers.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.rlstream.model.Policy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An inference server over the local DJL generator that speaks the part of vLLM's and SGLang's
 * HTTP protocols the rollout worker uses, so the worker's HTTP backends run against a real second
 * process on a machine without a GPU ({@code rlstream serve}).
 *
 * <pre>
 *   GET  /health                   200 (empty body) once the model is loaded      vLLM, SGLang
 *   GET  /v1/models                {"object": "list", "data": [{"id", "object": "model", ...,
 *                                   "weight_version"}]}                           vLLM (+ weight_version)
 *   POST /v1/completions           {@link OpenAiApi}                              vLLM
 *   POST /v1/chat/completions      {@link OpenAiApi}                              vLLM
 *   POST /generate                 {@link SglangApi}                              SGLang
 *   POST /update_weights_from_disk {"model_path", "weight_version"}               SGLang
 *   GET  /get_model_info           model_path, weight_version, ...                SGLang
 *   POST /pause, /resume           {"status": "paused"|"resumed"}                 vLLM dev mode
 *   GET  /is_paused                {"is_paused": bool}                            vLLM dev mode
 *   POST /reset_prefix_cache       200 (nothing is cached between requests)       vLLM dev mode
 *   POST /collective_rpc           {"method": "reload_weights", "kwargs": {"weights_path": DIR}}
 *                                  -> {"results": [null]}                         vLLM dev mode
 * </pre>
 *
 * The endpoints that change the server's state (/update_weights_from_disk, /collective_rpc,
 * /pause, /resume, /reset_prefix_cache) answer 401 {"error": "Unauthorized"} without the
 * server's {@link AdminToken} when it has one (as vLLM's and SGLang's --api-key do for all).
 *
 * <p>Every response carries the served weight version in the header {@value #VERSION_HEADER}.
 * Requests are accepted by a pool of threads; one generation thread runs them, batching waiting
 * requests of the same sampling settings ({@link ServedModel}).
 * Errors: the vLLM endpoints answer OpenAI's {"error": {"message", "type", "code"}} (vLLM's
 * ErrorResponse), /generate SGLang's {"error": {"message"}}, unknown paths FastAPI's 404
 * {"detail": "Not Found"}, a wrong method 405 {"detail": "Method Not Allowed"}.
 */
public final class InferenceServer implements AutoCloseable {

    /** Response header with the weight version served when the response was made. */
    public static final String VERSION_HEADER = "X-Weight-Version";
    /** The weight version before any update (SGLang's --weight-version default). */
    public static final String DEFAULT_VERSION = "default";
    /** Rows batched per generation by default: the worker's groups of a few prompts times G. */
    public static final int DEFAULT_MAX_BATCH_ROWS = 64;

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final ServedModel model;
    private final OpenAiApi openai;
    private final SglangApi sglang;
    private final HttpServer server;
    private final ExecutorService executor;
    private final AdminToken token;

    /** The paths that change the server's state: weights, pausing, the cache. */
    static final java.util.Set<String> STATE_CHANGING = java.util.Set.of("/update_weights_from_disk", "/collective_rpc",
            "/pause", "/resume", "/reset_prefix_cache");

    private InferenceServer(ServedModel model, String host, int port, int threads, AdminToken token) {
        this.model = model;
        this.token = token;
        this.openai = new OpenAiApi(model);
        this.sglang = new SglangApi(model);
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 64);
        } catch (IOException e) {
            model.close();
            throw new UncheckedIOException("cannot serve on " + host + ":" + port
                    + " (in use? pick another --port, 0 for any free one)", e);
        }
        AtomicInteger count = new AtomicInteger();
        executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "inference-server-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * Loads the model folder and serves it on host:port (0: any free port).
     *
     * @param name the model name reported by /v1/models and in responses (vLLM's --served-model-name)
     * @param version the weight version reported until the first update
     * @throws IllegalArgumentException when the folder does not load
     */
    public static InferenceServer start(Path modelDir, String name, String version, String host, int port) {
        return start(modelDir, name, version, host, port, DEFAULT_MAX_BATCH_ROWS);
    }

    /**
     * As {@link #start(Path, String, String, String, int)}, batching waiting requests of the same
     * sampling settings up to {@code maxBatchRows} rows (prompts times n) per generation.
     */
    public static InferenceServer start(Path modelDir, String name, String version, String host, int port,
                                        int maxBatchRows) {
        return start(modelDir, name, version, host, port, maxBatchRows, null);
    }

    /**
     * As {@link #start(Path, String, String, String, int, int)}, with the state-changing endpoints
     * guarded by {@code token} (null: open; {@link AdminToken#resolve} reads one from a file or
     * the environment).
     */
    public static InferenceServer start(Path modelDir, String name, String version, String host, int port,
                                        int maxBatchRows, AdminToken token) {
        return new InferenceServer(new ServedModel(modelDir, name, version, maxBatchRows), host, port, 64, token);
    }

    /**
     * The version a folder is served as when none is given: its metadata.json "version" (the
     * trainer's checkpoints have one, the worker tags its rollouts with it), else
     * {@value #DEFAULT_VERSION}.
     */
    public static String initialVersion(Path modelDir) {
        try {
            return Policy.readMetadata(modelDir).getOrDefault("version", DEFAULT_VERSION);
        } catch (RuntimeException e) {
            return DEFAULT_VERSION;
        }
    }

    /** The server's root URL, e.g. http://127.0.0.1:8000. */
    public URI address() {
        InetSocketAddress a = server.getAddress();
        return URI.create("http://" + a.getHostString() + ":" + a.getPort());
    }

    /** The weight version now served. */
    public String weightVersion() {
        return model.version();
    }

    /** The model served; for tests. */
    ServedModel model() {
        return model;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        boolean sglangShape = path.equals("/generate");
        try (exchange) {
            Reply reply;
            try {
                reply = route(method, path, exchange);
            } catch (ApiException e) {
                reply = error(e, sglangShape);
            } catch (RuntimeException | Error e) {
                reply = error(new ApiException(500, e.toString()), sglangShape);
            }
            send(exchange, reply);
        }
    }

    /** A status and a JSON body (null: empty body). */
    /** A status, a JSON body (null: empty body) and the version for the header (null: the one served now). */
    private record Reply(int status, JsonNode body, String version) {
        Reply(int status, JsonNode body) {
            this(status, body, null);
        }

        static Reply ok(JsonNode body) {
            return new Reply(200, body);
        }

        static Reply ok(Served served) {
            return new Reply(200, served.body(), served.version());
        }
    }

    private Reply route(String method, String path, HttpExchange exchange) throws IOException {
        if (token != null && STATE_CHANGING.contains(path)
                && !token.accepts(exchange.getRequestHeaders().getFirst("Authorization"))) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            return new Reply(401, JSON.objectNode().put("error", "Unauthorized"));
        }
        return switch (path) {
            case "/health" -> only("GET", method, () -> new Reply(200, null));
            case "/v1/models" -> only("GET", method, () -> Reply.ok(models()));
            case "/get_model_info" -> only("GET", method, () -> Reply.ok(sglang.modelInfo()));
            case "/is_paused" -> only("GET", method, () -> Reply.ok(JSON.objectNode().put("is_paused", model.paused())));
            case "/v1/completions" -> post(method, exchange, body -> Reply.ok(openai.completions(body)));
            case "/v1/chat/completions" -> post(method, exchange, body -> Reply.ok(openai.chatCompletions(body)));
            case "/generate" -> post(method, exchange, body -> Reply.ok(sglang.generate(body)));
            case "/update_weights_from_disk" -> post(method, exchange, body -> {
                ObjectNode out = sglang.updateWeightsFromDisk(body);
                return new Reply(out.get("success").booleanValue() ? 200 : 400, out);
            });
            case "/pause" -> only("POST", method, () -> {
                model.pause(); // the batch in progress finishes first
                return Reply.ok(JSON.objectNode().put("status", "paused"));
            });
            case "/resume" -> only("POST", method, () -> {
                model.resume();
                return Reply.ok(JSON.objectNode().put("status", "resumed"));
            });
            case "/reset_prefix_cache" -> only("POST", method, () -> new Reply(200, null));
            case "/collective_rpc" -> post(method, exchange, this::collectiveRpc);
            default -> new Reply(404, JSON.objectNode().put("detail", "Not Found"));
        };
    }

    /** vLLM's collective_rpc, for the one method a weight sync calls: reload_weights. */
    private Reply collectiveRpc(JsonNode body) {
        String method = RequestFields.string(body, "method", null);
        if (method == null) {
            throw ApiException.badRequest("Missing 'method' in request body");
        }
        if (!method.equals("reload_weights")) {
            throw new ApiException(500, "collective_rpc method '" + method
                    + "' is not supported by this server (only reload_weights)");
        }
        JsonNode kwargs = RequestFields.object(body, "kwargs");
        String dir = RequestFields.string(kwargs, "weights_path", null);
        Path folder = dir != null ? Path.of(dir) : model.dir();
        try {
            model.reload(folder, versionOf(folder));
        } catch (RuntimeException e) {
            throw new ApiException(500, "reload_weights failed, still serving version " + model.version() + ": "
                    + e.getMessage());
        }
        return Reply.ok(JSON.objectNode().set("results", JSON.arrayNode().addNull()));
    }

    /**
     * The version a vLLM-style reload serves (vLLM has none): the folder's metadata.json
     * "version" when it has one (the trainer writes it), else the folder's name.
     */
    static String versionOf(Path folder) {
        try {
            String v = Policy.readMetadata(folder).get("version");
            if (v != null) {
                return v;
            }
        } catch (RuntimeException ignored) {
            // not readable: the folder's name
        }
        Path name = folder.toAbsolutePath().normalize().getFileName();
        return name == null ? folder.toString() : name.toString();
    }

    private ObjectNode models() {
        ObjectNode card = JSON.objectNode();
        card.put("id", model.name());
        card.put("object", "model");
        card.put("created", System.currentTimeMillis() / 1000);
        card.put("owned_by", "rlstream");
        card.put("root", model.dir().toString());
        card.putNull("parent");
        card.put("max_model_len", model.contextLength());
        card.put("weight_version", model.version());
        ObjectNode out = JSON.objectNode();
        out.put("object", "list");
        out.putArray("data").add(card);
        return out;
    }

    private interface Body {
        Reply apply(JsonNode body);
    }

    private interface Action {
        Reply get();
    }

    private static Reply only(String allowed, String method, Action action) {
        if (!allowed.equals(method)) {
            return new Reply(405, JSON.objectNode().put("detail", "Method Not Allowed"));
        }
        return action.get();
    }

    private static Reply post(String method, HttpExchange exchange, Body handler) throws IOException {
        if (!method.equals("POST")) {
            return new Reply(405, JSON.objectNode().put("detail", "Method Not Allowed"));
        }
        JsonNode body;
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readAllBytes();
            try {
                body = bytes.length == 0 ? JSON.objectNode() : MAPPER.readTree(bytes);
            } catch (JsonProcessingException e) {
                throw ApiException.badRequest("the body is not valid JSON: " + e.getOriginalMessage());
            }
        }
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("the body must be a JSON object");
        }
        return handler.apply(body);
    }

    private static Reply error(ApiException e, boolean sglangShape) {
        ObjectNode error = JSON.objectNode();
        error.put("message", e.getMessage());
        if (!sglangShape) {
            error.put("type", e.type());
            error.putNull("param");
            error.put("code", e.status());
        }
        ObjectNode out = JSON.objectNode();
        out.set("error", error);
        return new Reply(e.status(), out);
    }

    private void send(HttpExchange exchange, Reply reply) throws IOException {
        exchange.getResponseHeaders().set(VERSION_HEADER, reply.version() != null ? reply.version() : model.version());
        if (reply.body() == null) {
            exchange.sendResponseHeaders(reply.status(), -1);
            return;
        }
        byte[] bytes = MAPPER.writeValueAsBytes(reply.body());
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(reply.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        model.close();
    }
}
