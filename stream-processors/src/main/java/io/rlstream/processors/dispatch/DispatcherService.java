package io.rlstream.processors.dispatch;

import io.micrometer.core.instrument.MeterRegistry;
import io.rlstream.monitoring.health.Health;
import io.rlstream.monitoring.metrics.MetricsPublisher;
import io.rlstream.processors.config.ProcessorsConfig;
import io.rlstream.processors.curriculum.query.SelectionQueryServer;
import io.rlstream.processors.curriculum.query.SelectionStore;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher as a running service: its loop on a thread of its own, and, unless
 * {@code dispatch.query.port} is -1, the selection state store (a Kafka Streams global table over
 * rl.prompt-selection) with the HTTP query server that `rlstream prompts top|show` ask. The store
 * loads the topic on a thread of its own, so dispatching never waits for it; the server answers
 * 503 until it is loaded. Closing stops the loop, then the server and the store.
 */
public final class DispatcherService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DispatcherService.class);

    private final Dispatcher dispatcher;
    private final Thread loop;
    private final SelectionStore store;
    private final SelectionQueryServer server;
    private final Thread storeStart;
    /** What ended the loop thread, if it threw. */
    private volatile Throwable failure;
    private volatile boolean closing;
    /** Kafka client and Streams meter binders, closed after the loop ends. */
    private final List<AutoCloseable> meters = new ArrayList<>();

    private DispatcherService(Dispatcher dispatcher, SelectionStore store, SelectionQueryServer server) {
        this.dispatcher = dispatcher;
        this.store = store;
        this.server = server;
        this.loop = new Thread(dispatcher, Dispatcher.SERVICE);
        this.loop.setUncaughtExceptionHandler((t, e) -> {
            failure = e;
            LOG.error("the dispatcher's loop ended: {}", e.toString(), e);
        });
        this.storeStart = store == null ? null : new Thread(() -> {
            try {
                store.start();
            } catch (RuntimeException e) {
                LOG.error("the selection state store did not start; prompt queries answer 503: {}", e.getMessage());
            }
        }, "selection-store-start");
    }

    /** Starts the dispatcher and, when configured, its query server; the server's port is bound when this returns. */
    public static DispatcherService start(ProcessorsConfig config, MetricsPublisher metrics) {
        return start(config, metrics, null);
    }

    /**
     * As {@link #start(ProcessorsConfig, MetricsPublisher)}, with the dispatcher's Kafka clients
     * and its selection store's Kafka Streams metrics bound into {@code registry} (null: none).
     */
    public static DispatcherService start(ProcessorsConfig config, MetricsPublisher metrics, MeterRegistry registry) {
        Dispatcher dispatcher = new Dispatcher(config, metrics);
        SelectionStore store = null;
        SelectionQueryServer server = null;
        int port = config.getInt(ProcessorsConfig.QUERY_PORT);
        if (port >= 0) {
            store = new SelectionStore(config.clientProps(), config.catalog(), config.serdes(),
                    config.getString(ProcessorsConfig.QUERY_APPLICATION_ID), Path.of(config.stateDir(), "dispatcher-query"));
            try {
                server = new SelectionQueryServer(store, dispatcher::selectorStatus,
                        config.getString(ProcessorsConfig.QUERY_HOST), port, config.getDouble(ProcessorsConfig.PCL_TAU));
            } catch (RuntimeException e) {
                store.close();
                throw new IllegalStateException("cannot serve the dispatcher's selection queries on "
                        + config.getString(ProcessorsConfig.QUERY_HOST) + ":" + port + " (" + e.getMessage() + "); set "
                        + ProcessorsConfig.QUERY_PORT + " to a free port, 0 for any, or -1 for none", e);
            }
            LOG.info("selection state queries at {} (rlstream prompts top --dispatcher {})", server.address(),
                    server.address());
        }
        DispatcherService service = new DispatcherService(dispatcher, store, server);
        if (registry != null) {
            service.meters.add(dispatcher.bindClientMetrics(registry));
            if (store != null) {
                service.meters.add(store.bindMetrics(registry));
            }
        }
        if (service.storeStart != null) {
            service.storeStart.setDaemon(true);
            service.storeStart.start();
        }
        service.loop.start();
        return service;
    }

    public Dispatcher dispatcher() {
        return dispatcher;
    }

    /** Where `rlstream prompts` reaches this dispatcher, when it serves queries. */
    public Optional<URI> queryAddress() {
        return server == null ? Optional.empty() : Optional.of(server.address());
    }

    /** Alive while the dispatch loop runs (issue 19: a dead loop must end the process, not idle in it). */
    public Health.Check health() {
        return Health.ofThread("the dispatcher", loop, () -> failure, () -> closing, dispatcher);
    }

    /** Waits for the dispatcher's loop to end (it runs until {@link #close()}). */
    public void join() throws InterruptedException {
        loop.join();
    }

    @Override
    public void close() throws InterruptedException {
        closing = true;
        dispatcher.stop();
        loop.join(30_000);
        for (AutoCloseable m : meters) {
            try {
                m.close();
            } catch (Exception e) {
                LOG.warn("could not unbind Kafka meters: {}", e.toString());
            }
        }
        if (server != null) {
            server.close();
        }
        if (store != null) {
            store.close();
        }
    }
}
