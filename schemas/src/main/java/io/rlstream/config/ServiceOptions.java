package io.rlstream.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import picocli.CommandLine.Option;

/**
 * The flags of every command that talks to a cluster, as a picocli mixin
 * ({@code @Mixin ServiceOptions cluster;}): where the settings file is, where Kafka and the
 * registry are, and single settings. {@link #settings} merges them in one order for every
 * command: the file, then the environment, then the flags, later ones winning.
 */
public final class ServiceOptions {

    @Option(names = {"--config", "--command-config"}, paramLabel = "FILE",
            description = "Properties file with settings: rlstream's keys and Kafka client keys as Kafka's tools take them"
                    + " (security.protocol, sasl.*, ssl.*). --command-config is the same flag under Kafka's tools' name.")
    public Path config;

    @Option(names = "--bootstrap-server", paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers (setting bootstrap.servers).")
    public String bootstrapServer;

    @Option(names = "--registry-url", paramLabel = "URL", description = "Schema registry API root (setting registry.url).")
    public String registryUrl;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Any setting; repeatable. Environment variables RLSTREAM_<KEY> (dots as underscores) also set keys.")
    public Map<String, String> set = new LinkedHashMap<>();

    /** The settings file, the environment and the flags merged, later winning, for a service with this definition. */
    public Map<String, String> settings(ConfigDef definition) {
        return settings(definition, System.getenv());
    }

    /** {@link #settings(ConfigDef)} with the environment given (tests). */
    public Map<String, String> settings(ConfigDef definition, Map<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>(ServiceConfig.read(config, env, definition));
        if (bootstrapServer != null) {
            values.put(ServiceConfig.BOOTSTRAP_SERVERS, bootstrapServer);
        }
        if (registryUrl != null) {
            values.put(ServiceConfig.REGISTRY_URL, registryUrl);
        }
        values.putAll(set);
        return values;
    }
}
