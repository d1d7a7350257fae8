package io.rlstream.processors.curriculum.query;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.rlstream.events.PromptSelection;
import io.rlstream.processors.curriculum.query.SelectionRanking.Order;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher's query address: HTTP + JSON over a {@link SelectionStore}, what
 * {@code rlstream prompts top|show} calls. The JDK's own HTTP server, so the dispatcher gains no
 * dependency; read-only GETs on loopback by default.
 *
 * <pre>
 *   GET /prompts/top?n=20&amp;by=selected   {"count": prompts in the store, "by", "tau", "n", "prompts": [...]}
 *   GET /prompts/{prompt_id}               one prompt's view, or 404
 *   GET /selector                          the selector's name and metrics, as the dispatcher reports them
 * </pre>
 *
 * Bad parameters are 400 with the valid values, a store still loading the topic is 503, any
 * other failure of a request is 500 with its message: no request can stop the server.
 */
public final class SelectionQueryServer implements AutoCloseable {

    /** Default bind host (setting dispatch.query.host): loopback, the state is not for the network. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Default port (setting dispatch.query.port). */
    public static final int DEFAULT_PORT = 7071;
    /** Prompts {@code top} lists when no {@code n} is given. */
    public static final int DEFAULT_N = 20;
    /** Most prompts one {@code top} answer lists: bounds the answer, not the store. */
    public static final int MAX_N = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(SelectionQueryServer.class);
    private static final String ENDPOINTS = "GET /prompts/top?n=N&by=ORDER, GET /prompts/{prompt_id}, GET /selector";
    private static final Set<String> TOP_PARAMETERS = Set.of("n", "by");

    private final SelectionStore store;
    private final Supplier<Map<String, Object>> selectorStatus;
    private final double tau;
    private final HttpServer http;
    private final ExecutorService workers;

    /**
     * Binds {@code host:port} (port 0: any free port, see {@link #address()}) and starts serving.
     *
     * @param selectorStatus what {@code /selector} answers: the selector's name and metrics
     * @param tau            target pass rate of {@code by=closeness} (PCL's τ)
     * @throws UncheckedIOException when the address cannot be bound (port taken, unknown host)
     */
    public SelectionQueryServer(SelectionStore store, Supplier<Map<String, Object>> selectorStatus, String host,
            int port, double tau) {
        this.store = store;
        this.selectorStatus = selectorStatus;
        this.tau = tau;
        try {
            this.http = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the selector's state on " + host + ":" + port
                    + " (" + e.getMessage() + "): set dispatch.query.port to a free port, or 0 for any", e);
        }
        AtomicInteger threads = new AtomicInteger();
        // Two workers: a query waiting on a loading store must not hold up /selector.
        this.workers = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "selection-query-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(workers);
        http.createContext("/", this::handle);
        http.start();
    }

    /** Where the server answers: {@code http://host:port}, the bound port when 0 was asked. */
    public URI address() {
        InetSocketAddress bound = http.getAddress();
        return URI.create("http://" + bound.getHostString() + ":" + bound.getPort());
    }

    private record Answer(int status, Object body) {
    }

    private void handle(HttpExchange exchange) {
        try {
            Answer answer;
            try {
                answer = route(exchange);
            } catch (SelectionStore.Unavailable e) {
                answer = new Answer(503, SelectionJson.error(e.getMessage()));
            } catch (RuntimeException e) {
                LOG.warn("query {} failed", exchange.getRequestURI(), e);
                answer = new Answer(500, SelectionJson.error("the query failed: " + e));
            }
            send(exchange, answer);
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot answer {} (the client went away?)", exchange.getRequestURI(), e);
        } finally {
            exchange.close();
        }
    }

    private Answer route(HttpExchange exchange) {
        String path = exchange.getRequestURI().getPath();
        if (!"GET".equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", "GET");
            return new Answer(405, SelectionJson.error(exchange.getRequestMethod() + " " + path
                    + " is not allowed: the query server only answers GET (" + ENDPOINTS + ")"));
        }
        if (path.equals("/prompts/top")) {
            return top(exchange.getRequestURI().getRawQuery());
        }
        if (path.startsWith("/prompts/") && path.length() > "/prompts/".length()) {
            return show(path.substring("/prompts/".length()));
        }
        if (path.equals("/selector")) {
            return new Answer(200, selectorStatus.get());
        }
        return new Answer(404, SelectionJson.error("no endpoint " + path + "; endpoints: " + ENDPOINTS));
    }

    private Answer top(String rawQuery) {
        Map<String, String> params = parameters(rawQuery);
        for (String name : params.keySet()) {
            if (!TOP_PARAMETERS.contains(name)) {
                return badRequest("unknown parameter '" + name + "'; /prompts/top takes n (1.." + MAX_N
                        + ") and by (" + Order.wireNames() + ")");
            }
        }
        int n = DEFAULT_N;
        if (params.containsKey("n")) {
            try {
                n = Integer.parseInt(params.get("n").trim());
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || n > MAX_N) {
                return badRequest("parameter n must be a whole number from 1 to " + MAX_N + ", got '" + params.get("n") + "'");
            }
        }
        Order order = Order.SELECTED;
        if (params.containsKey("by")) {
            try {
                order = Order.byWireName(params.get("by"));
            } catch (IllegalArgumentException e) {
                return badRequest("parameter by: " + e.getMessage());
            }
        }
        ObjectNode body = SelectionJson.MAPPER.createObjectNode();
        body.put("count", store.count());
        body.put("by", order.wireName());
        body.put("tau", tau);
        body.put("n", n);
        ArrayNode prompts = body.putArray("prompts");
        for (PromptSelection p : store.top(n, order, tau)) {
            prompts.add(SelectionJson.prompt(p));
        }
        return new Answer(200, body);
    }

    private Answer show(String promptId) {
        Optional<PromptSelection> view = store.get(promptId);
        if (view.isEmpty()) {
            return new Answer(404, SelectionJson.error("no prompt '" + promptId + "' in the selector's state (the selector "
                    + "writes a prompt's view once it has chosen it or learned from one of its groups)"));
        }
        return new Answer(200, SelectionJson.prompt(view.get()));
    }

    private static Answer badRequest(String message) {
        return new Answer(400, SelectionJson.error(message));
    }

    /** The query's parameters, decoded; the last of a repeated one wins. */
    private static Map<String, String> parameters(String rawQuery) {
        Map<String, String> params = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            params.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return params;
    }

    private static void send(HttpExchange exchange, Answer answer) throws IOException {
        byte[] bytes;
        int status = answer.status();
        try {
            bytes = SelectionJson.bytes(answer.body());
        } catch (IllegalStateException e) {
            status = 500;
            bytes = SelectionJson.bytes(SelectionJson.error(e.getMessage()));
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream body = exchange.getResponseBody()) {
            body.write(bytes);
        }
    }

    /** Stops answering (requests in progress get a second to finish) and stops the workers. */
    @Override
    public void close() {
        http.stop(1);
        workers.shutdown();
        try {
            workers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
