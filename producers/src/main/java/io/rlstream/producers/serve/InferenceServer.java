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
 * Every response carries the served weight version in the header {@value #VERSION_HEADER}.
 * Requests are served by a pool of threads and generate one at a time ({@link ServedModel}).
 * Errors: the vLLM endpoints answer OpenAI's {"error": {"message", "type", "code"}} (vLLM's
 * ErrorResponse), /generate SGLang's {"error": {"message"}}, unknown paths FastAPI's 404
 * {"detail": "Not Found"}, a wrong method 405 {"detail": "Method Not Allowed"}.
 */
public final class InferenceServer implements AutoCloseable {

    /** Response header with the weight version served when the response was made. */
    public static final String VERSION_HEADER = "X-Weight-Version";
    /** The weight version before any update (SGLang's --weight-version default). */
    public static final String DEFAULT_VERSION = "default";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final ServedModel model;
    private final OpenAiApi openai;
    private final SglangApi sglang;
    private final HttpServer server;
    private final ExecutorService executor;
    private final PauseGate pause = new PauseGate();

    private InferenceServer(ServedModel model, String host, int port, int threads) {
        this.model = model;
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
        return new InferenceServer(new ServedModel(modelDir, name, version), host, port, 16);
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
    private record Reply(int status, JsonNode body) {
        static Reply ok(JsonNode body) {
            return new Reply(200, body);
        }
    }

    private Reply route(String method, String path, HttpExchange exchange) throws IOException {
        return switch (path) {
            case "/health" -> only("GET", method, () -> new Reply(200, null));
            case "/v1/models" -> only("GET", method, () -> Reply.ok(models()));
            case "/get_model_info" -> only("GET", method, () -> Reply.ok(sglang.modelInfo()));
            case "/is_paused" -> only("GET", method, () -> Reply.ok(JSON.objectNode().put("is_paused", pause.paused())));
            case "/v1/completions" -> post(method, exchange, body -> {
                pause.awaitRunning();
                return Reply.ok(openai.completions(body));
            });
            case "/v1/chat/completions" -> post(method, exchange, body -> {
                pause.awaitRunning();
                return Reply.ok(openai.chatCompletions(body));
            });
            case "/generate" -> post(method, exchange, body -> {
                pause.awaitRunning();
                return Reply.ok(sglang.generate(body));
            });
            case "/update_weights_from_disk" -> post(method, exchange, body -> {
                ObjectNode out = sglang.updateWeightsFromDisk(body);
                return new Reply(out.get("success").booleanValue() ? 200 : 400, out);
            });
            case "/pause" -> only("POST", method, () -> {
                // In-flight requests finish first: pausing takes the model between requests.
                model.exclusive(() -> {
                    pause.pause();
                    return null;
                });
                return Reply.ok(JSON.objectNode().put("status", "paused"));
            });
            case "/resume" -> only("POST", method, () -> {
                pause.resume();
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
        exchange.getResponseHeaders().set(VERSION_HEADER, model.version());
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
        pause.resume();
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        model.close();
    }

    /** vLLM's pause: generation requests wait until resumed. */
    private static final class PauseGate {
        private boolean paused;

        synchronized void pause() {
            paused = true;
        }

        synchronized void resume() {
            paused = false;
            notifyAll();
        }

        synchronized boolean paused() {
            return paused;
        }

        synchronized void awaitRunning() {
            while (paused) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ApiException(503, "the server is shutting down");
                }
            }
        }
    }
}
