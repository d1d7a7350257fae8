package io.rlstream.monitoring.dashboard;

import io.rlstream.schemas.SerdeFactory;
import io.rlstream.schemas.TopicCatalog;
import java.io.IOException;
import java.net.BindException;
import java.net.URI;
import java.util.Map;

/**
 * A running dashboard: the feed that reads the topics into a {@link StepSeries} and a
 * {@link LineageIndex}, and the web server over both. Started by {@code rlstream dashboard}
 * against any cluster, and by the demo.
 */
public final class Dashboard implements AutoCloseable {

    /** The port the demo and {@code rlstream dashboard} ask for first. */
    public static final int DEFAULT_PORT = 7070;
    /** Steps kept in memory: hours of the demo's ~4 steps a second. */
    static final int STEP_CAPACITY = 100_000;

    private final DashboardFeed feed;
    private final DashboardServer server;

    private Dashboard(DashboardFeed feed, DashboardServer server) {
        this.feed = feed;
        this.server = server;
    }

    /**
     * Starts the feed and the server.
     *
     * @param clientProps       Kafka client settings, at least bootstrap.servers
     * @param serdes            the registry's serdes
     * @param port              port to serve on; 0 for any free one
     * @param anyPortIfTaken    when the port is taken, serve on a free one instead of failing
     */
    public static Dashboard start(Map<String, Object> clientProps, SerdeFactory serdes, TopicCatalog catalog, String host,
            int port, boolean anyPortIfTaken) throws IOException {
        StepSeries series = new StepSeries(STEP_CAPACITY);
        LineageIndex lineage = new LineageIndex(LineageIndex.DEFAULT_CAPACITY);
        DashboardFeed feed = new DashboardFeed(clientProps, serdes, catalog, series, lineage);
        DashboardServer server;
        try {
            try {
                server = DashboardServer.start(host, port, series, lineage, feed::status);
            } catch (BindException taken) {
                if (!anyPortIfTaken || port == 0) {
                    throw new BindException("dashboard: port " + port + " on " + host + " is taken (" + taken.getMessage()
                            + "); choose another with --port, or 0 for any free port");
                }
                server = DashboardServer.start(host, 0, series, lineage, feed::status);
            }
        } catch (IOException | RuntimeException e) {
            try {
                feed.close();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            throw e;
        }
        feed.start();
        return new Dashboard(feed, server);
    }

    /** The page's address, e.g. http://127.0.0.1:7070/. */
    public URI address() {
        return server.address();
    }

    @Override
    public void close() throws InterruptedException {
        server.close();
        feed.close();
    }
}
