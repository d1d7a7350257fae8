package io.rlstream.monitoring.prometheus;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rlstream.config.ServiceConfig;
import io.rlstream.monitoring.health.Health;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The Prometheus endpoint of a process: one {@link PrometheusMeterRegistry} (with the JVM's
 * memory, GC, thread and CPU metrics bound) and an HTTP server answering {@code GET /metrics}
 * with the registry's scrape, in OpenMetrics when the scraper asks for it (Prometheus does) and
 * in the text format 0.0.4 otherwise. Services bind their Kafka clients and publish their domain
 * metrics into {@link #registry()}; in the demo every service shares one endpoint, a service
 * started alone has its own ({@code metrics.port}).
 *
 * <pre>
 *   try (PrometheusEndpoint prometheus = PrometheusEndpoint.start("127.0.0.1", 9401)) {
 *       RewardService rewards = new RewardService(config, prometheus.registry());
 *       ...
 *   }
 * </pre>
 */
public final class PrometheusEndpoint implements AutoCloseable {

    public static final String PATH = "/metrics";
    /** 200 while the service can go on, 503 with the reason once it cannot (the process then exits). */
    public static final String HEALTH_PATH = "/health";
    /** 200 while the service does its work, 503 while it starts, rebalances or stops. */
    public static final String READY_PATH = "/ready";
    /** {@code metrics.port} value that turns the HTTP server off (the registry still records). */
    public static final int OFF = ServiceConfig.METRICS_PORT_OFF;
    /** The two text formats (the Prometheus client's writers are runtime-only dependencies). */
    static final String TEXT_004 = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final HttpServer server;
    private final ExecutorService executor;
    private volatile Health.Check health = () -> Health.starting("the service");

    private PrometheusEndpoint(String host, int port) {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        if (port == OFF) {
            server = null;
            executor = null;
            return;
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("metrics port must be 0..65535, or -1 for no server; got " + port);
        }
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve Prometheus metrics on " + host + ":" + port
                    + " (in use by another service? set metrics.port to a free port, 0 for any, -1 for none)", e);
        }
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "prometheus-endpoint");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext(PATH, this::serve);
        server.createContext(HEALTH_PATH, exchange -> probe(exchange, false));
        server.createContext(READY_PATH, exchange -> probe(exchange, true));
        server.start();
    }

    /** Serves {@code GET /metrics} on host:port; port 0 takes any free port, -1 serves nothing. */
    public static PrometheusEndpoint start(String host, int port) {
        return new PrometheusEndpoint(host, port);
    }

    /**
     * Starts a service's endpoint at {@code metrics.host} and the port in {@code portKey}
     * ({@code metrics.port}, or the dispatcher's {@code dispatch.metrics.port}).
     */
    public static PrometheusEndpoint start(ServiceConfig config, String portKey) {
        return start(config.getString(ServiceConfig.METRICS_HOST), config.getInt(portKey));
    }

    /** Serves on {@code port} if it is free, else on any free port (the demo prefers 9400). */
    public static PrometheusEndpoint startPreferring(String host, int port) {
        try {
            return new PrometheusEndpoint(host, port);
        } catch (UncheckedIOException inUse) {
            return new PrometheusEndpoint(host, 0);
        }
    }

    /** What {@code /health} and {@code /ready} answer from now on. */
    public void health(Health.Check check) {
        this.health = check;
    }

    private void probe(HttpExchange exchange, boolean readiness) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals(readiness ? READY_PATH : HEALTH_PATH)) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            Health h;
            try {
                h = health.health();
            } catch (RuntimeException e) {
                h = Health.dead("health check failed: " + e);
            }
            boolean ok = readiness ? h.ready() : h.alive();
            byte[] body = ((ok ? "ok" : h.reason()) + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            if (exchange.getRequestMethod().equals("HEAD")) {
                exchange.sendResponseHeaders(ok ? 200 : 503, -1);
                return;
            }
            exchange.sendResponseHeaders(ok ? 200 : 503, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The URL to scrape, e.g. http://127.0.0.1:9401/metrics; empty when the server is off. */
    public Optional<URI> address() {
        if (server == null) {
            return Optional.empty();
        }
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        return Optional.of(URI.create("http://" + host + ":" + a.getPort() + PATH));
    }

    /** The exposition format for a scraper's Accept header: OpenMetrics if it asks for it, else text 0.0.4. */
    static String contentType(String accept) {
        return accept != null && accept.contains("application/openmetrics-text")
                ? OPENMETRICS : TEXT_004;
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            if (!exchange.getRequestURI().getPath().equals(PATH)) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            String type = contentType(exchange.getRequestHeaders().getFirst("Accept"));
            byte[] body = registry.scrape(type).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", type);
            if (exchange.getRequestMethod().equals("HEAD")) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
        }
        gc.close();
        registry.close();
    }
}
