package io.rlstream.cli;

import io.rlstream.ops.LocalPlatform;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rlstream platform}: only the local broker and registry, their addresses printed, until Ctrl-C. */
@Command(name = "platform", description = {"Start only the local Kafka broker and schema registry and print their"
        + " addresses (bootstrap.servers=..., registry.url=...); Ctrl-C stops both."})
final class PlatformCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;
    @Option(names = "--brokers", paramLabel = "N", description = "Kafka brokers: 1 (default), or a replicated"
            + " cluster of N KRaft nodes, each its own process (3: replication factor 3, min.insync.replicas 2).")
    int brokers = 1;
    @Option(names = "--run-dir", paramLabel = "DIR", description = "Where their data and logs go (default runs/platform).")
    Path runDir = Path.of("runs", "platform");

    private final Terminal terminal;

    PlatformCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws Exception {
        if (brokers < 1) {
            throw new UsageException("--brokers expects at least 1, got " + brokers);
        }
        try (LocalPlatform platform = LocalPlatform.start(runDir.toAbsolutePath(), io.rlstream.schemas.TopicCatalog.defaults(),
                brokers, terminal.out())) {
            terminal.out().println("bootstrap.servers=" + platform.bootstrapServers());
            terminal.out().println("registry.url=" + platform.registryUrl());
            terminal.out().println("Ctrl-C stops both.");
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
            stopped.await();
        }
        return 0;
    }
}
