package io.rlstream.cli;

import io.rlstream.config.ServiceConfig;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code rlstream config SERVICE}: a service's settings as a Markdown table (docs/configuration.md has them all). */
@Command(name = "config", description = {"Print the settings of a service (rewards, worker, processors, dispatcher,"
        + " trainer) as a table: key, type, default, meaning. Give them with --set KEY=VALUE, --config FILE or"
        + " RLSTREAM_<KEY> environment variables."})
final class ConfigCommand implements Callable<Integer> {

    /** The services with settings, for shell completion. */
    static final class ServiceNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            List<String> names = new ArrayList<>(List.of("rewards", "worker", "processors", "dispatcher", "trainer"));
            return names.iterator();
        }
    }

    @Mixin
    HelpOption help;
    @Parameters(arity = "0..1", paramLabel = "SERVICE", completionCandidates = ServiceNames.class,
            description = "rewards, worker, processors, dispatcher or trainer.")
    String service;

    private final Terminal terminal;

    ConfigCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        if (service == null) {
            throw new UsageException("config needs a service: rewards, worker, processors, dispatcher, trainer");
        }
        terminal.out().print(ServiceConfig.markdown(Rlstream.definition(service)));
        return 0;
    }
}
