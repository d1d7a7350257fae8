package io.rlstream.cli;

import io.rlstream.algorithm.AlgorithmFamily;
import io.rlstream.config.ServiceConfig;
import io.rlstream.monitoring.metrics.MetricCatalog;
import io.rlstream.schemas.Topic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;

/**
 * The parts of docs/ that the code declares, rendered as Markdown: the whole of
 * configuration.md (from every service's {@link ConfigDef}) and metrics.md (from the metric
 * catalogue), and the blocks between {@code <!-- BEGIN generated: NAME -->} and
 * {@code <!-- END generated -->} markers in the hand-written files (the topic table in
 * architecture.md, one registry table per algorithm family in algorithms.md). {@code rlstream docs
 * --write} writes them; a test fails when a file differs, so no table is ever copied by hand.
 */
final class ProjectDocs {

    /** A service whose settings configuration.md lists. */
    record Service(String command, String title, ConfigDef definition) {}

    static final String CONFIGURATION = "docs/configuration.md";
    static final String METRICS = "docs/metrics.md";
    static final String ARCHITECTURE = "docs/architecture.md";
    static final String ALGORITHMS = "docs/algorithms.md";

    private static final Pattern BLOCK = Pattern.compile(
            "(<!-- BEGIN generated: ([a-z0-9-]+) -->\n)(.*?)(<!-- END generated -->)", Pattern.DOTALL);

    private ProjectDocs() {
    }

    /** Every service with its own settings, in the order configuration.md lists them. */
    static List<Service> services() {
        return Rlstream.services().entrySet().stream()
                .map(e -> new Service(e.getKey(), e.getValue().title(), e.getValue().definition()))
                .toList();
    }

    /** The whole of docs/configuration.md. */
    static String configuration() {
        StringBuilder out = new StringBuilder("""
                # Configuration

                Every setting of every rlstream service, generated from the declarations in the code
                (`bin/rlstream docs --write`; a test fails when this file differs from them).
                `rlstream config SERVICE` prints one service's table.

                Settings come from, later ones winning: the `--config` (same: `--command-config`) properties
                file, environment variables, then `--bootstrap-server`, `--registry-url` and `--set key=value`.
                Every value is validated at start with a message naming the key, and a key the service does not
                take stops it with the closest valid one: `unknown setting 'group.szie' (did you mean group.size?)`.

                A service takes:

                - its own keys, in the tables below;
                - Kafka client keys, unprefixed, as Kafka's tools take them in `--command-config client.properties`
                  (every producer, consumer, admin and Streams key: `security.protocol`, `sasl.mechanism`,
                  `sasl.jaas.config`, `ssl.truststore.location`, `client.id`, ...); they go to every Kafka client
                  the service makes, which then sets what it must (group ids, transactions, serializers);
                - `kafka.KEY`: any other client key, prefix stripped (a custom callback handler's own settings);
                  it wins over the same key unprefixed;
                - `apicurio.registry.*` for the registry serde, `serde.config.*` for a configured serde
                  ([operations](operations.md)), and `config.providers*` (below).

                Environment variables: `RLSTREAM_` + the key upper-cased, dots and dashes as underscores, for the
                service's keys and Kafka client keys (`RLSTREAM_GROUP_SIZE=16`, `RLSTREAM_SASL_JAAS_CONFIG=...`);
                other `RLSTREAM_*` variables are no settings.

                Secrets: any value may hold a Kafka config provider variable, resolved at start:
                `${env:VAR}` (an environment variable) or `${file:/path/secrets.properties:key}` (a key of a
                properties file), e.g. `sasl.jaas.config=${file:/etc/rlstream/kafka.secrets:jaas}`. The `env`
                and `file` providers are on unless the settings set `config.providers`, which replaces them as in
                a Kafka client (`config.providers=vault`, `config.providers.vault.class=...`,
                `config.providers.vault.param.*`; empty: none). With the JVM system property
                `org.apache.kafka.automatic.config.providers` set, only the provider classes it lists are used. A
                variable that does not resolve stops the service, naming the setting, not the value.

                ## Every service

                """);
        ConfigDef base = ServiceConfig.baseDef();
        out.append(ServiceConfig.markdown(base));
        for (Service service : services()) {
            out.append("\n## ").append(service.title()).append(" (`rlstream ").append(service.command()).append("`)\n\n")
                    .append("The settings of every service, and:\n\n")
                    .append(ServiceConfig.markdown(ownKeys(service.definition(), base)));
        }
        return out.toString();
    }

    /** The keys a service declares beyond the shared ones, and shared keys whose default it changes. */
    static ConfigDef ownKeys(ConfigDef definition, ConfigDef base) {
        ConfigDef own = new ConfigDef();
        definition.configKeys().forEach((name, key) -> {
            ConfigDef.ConfigKey shared = base.configKeys().get(name);
            if (shared == null || !String.valueOf(shared.defaultValue).equals(String.valueOf(key.defaultValue))) {
                own.define(key);
            }
        });
        return own;
    }

    /** The whole of docs/metrics.md. */
    static String metrics() {
        return """
                # Metrics

                Every metric name the services write to `rl.metrics` (record key: the source; value: name, value,
                step, policy version, tags, time), also served as the Prometheus gauge `rlstream_<name>` (dots and
                other characters as `_`) with the source and tags as labels. A name ending in `*` is a family: the
                suffix is a reason, a pool or a bucket. *step* metrics are measured over one training step (step and
                policy_version set), *total* ones are running totals since the service started, *gauge* ones the
                latest value. Generated from `MetricCatalog` (monitoring module, `bin/rlstream docs --write`), where
                each name is a constant: services can publish only those. How to read them:
                [observability](observability.md).

                """ + MetricCatalog.markdown() + """

                ## Prometheus counters and histograms

                Each *total* is also a Prometheus counter `rlstream_<name>_<unit>_total` (take `rate()` and
                `increase()` of it; within a process it never goes down), and the verifier latency is the histogram
                `rlstream_reward_verifier_latency_seconds` (`_bucket{le=...}`, `_sum`, `_count`; bounds 1 ms to
                60 s). The gauges they replace are still served, deprecated, for one release:

                """ + MetricCatalog.prometheusMarkdown();
    }

    /** The topic table of architecture.md. */
    static String topics() {
        StringBuilder out = new StringBuilder("| topic | key | value | partitions | configs | notes |\n|---|---|---|---|---|---|\n");
        for (Topic topic : Topic.values()) {
            String partitions = topic.coPartitioned() ? topic.defaultPartitions() + " (`group.partitions`)"
                    : Integer.toString(topic.defaultPartitions());
            String configs = topic.configs().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(e -> "`" + e.getKey() + "=" + e.getValue() + "`").reduce((a, b) -> a + ", " + b).orElse("");
            out.append("| `").append(topic.topicName(Topic.DEFAULT_PREFIX)).append("` | ").append(topic.key())
                    .append(" | `").append(topic.valueType().getSimpleName()).append("` | ").append(partitions)
                    .append(" | ").append(configs).append(" | ").append(topic.notes()).append(" |\n");
        }
        return out.toString();
    }

    /** Every generated block by marker name; class names link to their source files under {@code root}. */
    static Map<String, String> blocks(Path root) {
        Map<String, String> blocks = new LinkedHashMap<>();
        blocks.put("topics", topics());
        for (AlgorithmFamily<?, ?> family : AlgorithmIndex.FAMILIES) {
            blocks.put(family.anchor(), family.markdown(type -> sourceLink(root, type)));
        }
        return blocks;
    }

    /** {@code [Grpo](../stream-processors/src/main/java/.../Grpo.java)}, relative to docs/; the plain name if not found. */
    static String sourceLink(Path root, Class<?> type) {
        Class<?> outer = type;
        while (outer.getEnclosingClass() != null) {
            outer = outer.getEnclosingClass();
        }
        String file = "src/main/java/" + outer.getName().replace('.', '/') + ".java";
        try (java.util.stream.Stream<Path> modules = Files.list(root)) {
            return modules.filter(module -> Files.isRegularFile(module.resolve(file)))
                    .findFirst()
                    .map(module -> "[" + type.getSimpleName() + "](../" + module.getFileName() + "/" + file + ")")
                    .orElse("`" + type.getName() + "`");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
    }

    /** What each generated file, or file with generated blocks, must hold, by path relative to the root. */
    static Map<String, String> expected(Path root) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put(CONFIGURATION, configuration());
        files.put(METRICS, metrics());
        Map<String, String> blocks = blocks(root);
        for (String path : List.of(ARCHITECTURE, ALGORITHMS)) {
            files.put(path, fill(read(root.resolve(path)), blocks, path));
        }
        return files;
    }

    /** The files under {@code root} whose content differs from {@link #expected}. */
    static Map<String, String> stale(Path root) {
        Map<String, String> stale = new LinkedHashMap<>();
        expected(root).forEach((path, content) -> {
            Path file = root.resolve(path);
            if (!Files.exists(file) || !read(file).equals(content)) {
                stale.put(path, content);
            }
        });
        return stale;
    }

    /**
     * Replaces the body of every marked block with its generated text.
     *
     * @throws IllegalStateException for a marker no generator knows, so a renamed family cannot
     *     leave a stale table behind
     */
    static String fill(String text, Map<String, String> blocks, String file) {
        Matcher m = BLOCK.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String body = blocks.get(m.group(2));
            if (body == null) {
                throw new IllegalStateException(file + " has a generated block '" + m.group(2)
                        + "' that nothing generates; known: " + blocks.keySet());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + body + m.group(4)));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The anchor GitHub gives a heading: lower case, punctuation but '-' and '_' dropped, spaces as '-'. */
    static String slug(String heading) {
        return heading.strip().toLowerCase(java.util.Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{N} _-]", "")
                .replace(' ', '-');
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
