package io.rlstream.monitoring.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The dashboard's web server (the JDK's HttpServer, no framework): the page's static files from
 * the class path ({@code dashboard/index.html, dashboard.js, dashboard.css}) and a JSON API over
 * a {@link StepSeries} and a {@link LineageIndex}, which whoever starts it keeps filled.
 *
 * <pre>
 * GET /api/steps?since=R          rows changed after revision R (0 or absent: all), and the revision now
 * GET /api/lineage/{groupId}      prompt → rollouts → rewards → advantages → batch → checkpoint; 404 if not kept
 * GET /api/groups/recent?n=N&amp;stage=S   newest group ids first (n default 30, at most 500; stage optional)
 * GET /api/summary                latest step, counts, sources, the feed's state
 * </pre>
 */
public final class DashboardServer implements AutoCloseable {

    private static final Map<String, String> STATIC = Map.of(
            "/", "index.html", "/index.html", "index.html", "/dashboard.js", "dashboard.js",
            "/dashboard.css", "dashboard.css");

    private final HttpServer server;
    private final ExecutorService executor;
    private final StepSeries series;
    private final LineageIndex lineage;
    private final Supplier<Map<String, Object>> feedStatus;
    private final ObjectMapper json = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private DashboardServer(HttpServer server, StepSeries series, LineageIndex lineage,
            Supplier<Map<String, Object>> feedStatus) {
        this.server = server;
        this.series = series;
        this.lineage = lineage;
        this.feedStatus = feedStatus;
        this.executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "dashboard-http");
            t.setDaemon(true);
            return t;
        });
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /**
     * Serves on host:port (port 0: any free port).
     *
     * @param feedStatus what {@code /api/summary} reports about the data feed (records read, errors)
     * @throws BindException when the port is taken
     */
    public static DashboardServer start(String host, int port, StepSeries series, LineageIndex lineage,
            Supplier<Map<String, Object>> feedStatus) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
        return new DashboardServer(server, series, lineage, feedStatus);
    }

    /** The page's address, e.g. http://127.0.0.1:7070/. */
    public URI address() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/");
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            route(x);
        }
    }

    private void route(HttpExchange x) throws IOException {
        try {
            if (!x.getRequestMethod().equals("GET") && !x.getRequestMethod().equals("HEAD")) {
                send(x, 405, Map.of("error", "only GET is served, got " + x.getRequestMethod()));
                return;
            }
            String path = x.getRequestURI().getRawPath();
            Map<String, String> query = query(x.getRequestURI().getRawQuery());
            if (path.equals("/api/steps")) {
                StepSeries.Changes changes = series.since(number(query, "since", 0));
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("revision", changes.revision());
                body.put("sources", series.sources());
                body.put("series", seriesList());
                body.put("steps", changes.steps());
                send(x, 200, body);
            } else if (path.startsWith("/api/lineage/")) {
                String groupId = URLDecoder.decode(path.substring("/api/lineage/".length()), StandardCharsets.UTF_8);
                var found = lineage.lineage(groupId);
                if (found.isPresent()) {
                    send(x, 200, found.get());
                } else {
                    send(x, 404, Map.of("error", "group '" + groupId + "' is not among the " + lineage.capacity()
                            + " most recent groups the dashboard keeps (it is older, or no such group was dispatched); "
                            + "GET /api/groups/recent lists the kept ones", "group_id", groupId));
                }
            } else if (path.equals("/api/groups/recent")) {
                int n = (int) Math.max(1, Math.min(500, number(query, "n", 30)));
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("capacity", lineage.capacity());
                body.put("kept", lineage.size());
                body.put("groups", lineage.recent(n, query.get("stage")));
                send(x, 200, body);
            } else if (path.equals("/api/summary")) {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("latest", series.latest().orElse(null));
                body.put("steps", series.size());
                body.put("sources", series.sources());
                body.put("groups_kept", lineage.size());
                body.put("lineage_capacity", lineage.capacity());
                body.put("feed", feedStatus.get());
                send(x, 200, body);
            } else if (path.equals("/favicon.ico")) {
                x.sendResponseHeaders(204, -1);
            } else if (STATIC.containsKey(path)) {
                sendResource(x, STATIC.get(path));
            } else {
                send(x, 404, Map.of("error", "no such page or endpoint: " + path
                        + " (endpoints: /api/steps, /api/lineage/{groupId}, /api/groups/recent, /api/summary)"));
            }
        } catch (IllegalArgumentException e) {
            send(x, 400, Map.of("error", e.getMessage()));
        }
    }

    private static List<Map<String, String>> seriesList() {
        return java.util.Arrays.stream(Series.values())
                .map(s -> Map.of("id", s.id(), "title", s.title(), "metric", s.metricName())).toList();
    }

    private void send(HttpExchange x, int status, Object body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        x.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        x.getResponseHeaders().set("Cache-Control", "no-store");
        write(x, status, bytes);
    }

    private void sendResource(HttpExchange x, String name) throws IOException {
        try (InputStream in = DashboardServer.class.getResourceAsStream("/dashboard/" + name)) {
            if (in == null) {
                send(x, 500, Map.of("error", "resource dashboard/" + name + " missing from the class path"));
                return;
            }
            String type = name.endsWith(".html") ? "text/html" : name.endsWith(".js") ? "text/javascript" : "text/css";
            x.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
            write(x, 200, in.readAllBytes());
        }
    }

    private static void write(HttpExchange x, int status, byte[] bytes) throws IOException {
        boolean head = x.getRequestMethod().equals("HEAD");
        x.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = x.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            q.put(k, v);
        }
        return q;
    }

    private static long number(Map<String, String> query, String name, long fallback) {
        String v = query.get(name);
        if (v == null || v.isEmpty()) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("query parameter " + name + " expects a whole number, got '" + v + "'");
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
