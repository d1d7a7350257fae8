package io.rlstream.cli;

import io.rlstream.config.ServiceConfig;
import io.rlstream.config.ServiceOptions;
import io.rlstream.monitoring.dashboard.Dashboard;
import java.util.HashMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rlstream dashboard}: the live web page against an existing cluster, until Ctrl-C. */
@Command(name = "dashboard", description = {"A local web page with live charts per training step (accuracy, reward,"
        + " effective ratio, staleness, throughput, KL, loss) and the lineage of any recent group (prompt -> rollouts ->"
        + " rewards -> advantages -> batch -> checkpoint), read from the topics."})
final class DashboardCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;
    @Mixin
    ServiceOptions cluster;
    @Option(names = "--port", paramLabel = "P", description = "Port to serve on (default 7070; 0 any free port).")
    int port = Dashboard.DEFAULT_PORT;
    @Option(names = "--host", paramLabel = "H", description = "Address to bind (default 127.0.0.1).")
    String host = "127.0.0.1";

    private final Terminal terminal;

    DashboardCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws Exception {
        ServiceConfig config = new ServiceConfig(ServiceConfig.baseDef(), cluster.settings(ServiceConfig.baseDef()));
        if (port < 0 || port > 65_535) {
            throw new UsageException("--port expects 0..65535 (0: any free port), got " + port);
        }
        try (Dashboard dashboard = Dashboard.start(new HashMap<>(config.clientProps()),
                config.serdes(), config.catalog(), host, port, false)) {
            terminal.out().println("dashboard: " + dashboard.address() + " (reading "
                    + config.getString(ServiceConfig.BOOTSTRAP_SERVERS) + "; Ctrl-C stops it)");
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
            stopped.await();
        }
        return 0;
    }
}
