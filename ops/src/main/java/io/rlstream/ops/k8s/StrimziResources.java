package io.rlstream.ops.k8s;

import io.rlstream.ops.TopicAdmin;
import io.rlstream.ops.security.AclSet;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.resource.PatternType;

/**
 * The Strimzi resources of ops/k8s that the code declares, rendered as YAML: one {@code KafkaTopic}
 * per topic of the {@link TopicCatalog} with its partition count, {@value #REPLICAS} replicas,
 * min.insync.replicas as {@link TopicAdmin} sets it for that many copies, and the topic's own
 * configs ({@link Topic#configs()}: compaction, record size, compression); and one SCRAM-SHA-512
 * {@code KafkaUser} per service principal of the {@link AclSet} with exactly its ACLs. Written by
 * {@code java -cp ... io.rlstream.ops.k8s.StrimziResources ops/k8s} (ops/README.md); a test
 * fails when the files differ, so no topic is ever copied into a manifest by hand.
 */
public final class StrimziResources {

    /** The Strimzi {@code Kafka} resource the topics belong to (label strimzi.io/cluster). */
    public static final String CLUSTER = "rlstream";
    /** Copies of every topic on a production cluster: {@link TopicAdmin#defaultReplicationFactor} of 3 brokers. */
    public static final int REPLICAS = TopicAdmin.defaultReplicationFactor(3);
    /** The topics' file, relative to ops/k8s. */
    public static final String TOPICS_FILE = "base/strimzi/kafka-topics.yaml";
    /** The users' file, relative to ops/k8s. */
    public static final String USERS_FILE = "base/strimzi/kafka-users.yaml";

    private StrimziResources() {
    }

    /** Every generated file under ops/k8s, by path relative to it. */
    public static Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put(TOPICS_FILE, topics(TopicCatalog.defaults()));
        files.put(USERS_FILE, users(AclSet.defaults()));
        return files;
    }

    /** One KafkaTopic document per catalog topic, in the catalog's order. */
    public static String topics(TopicCatalog catalog) {
        StringBuilder out = new StringBuilder(header("every topic of io.rlstream.schemas.Topic"));
        for (Topic topic : catalog.topics()) {
            String name = catalog.name(topic);
            Map<String, String> configs = new TreeMap<>(topic.configs());
            configs.put("min.insync.replicas", Integer.toString(TopicAdmin.defaultMinInsyncReplicas(REPLICAS)));
            out.append("---\n")
                    .append("apiVersion: kafka.strimzi.io/v1beta2\n")
                    .append("kind: KafkaTopic\n")
                    .append("metadata:\n")
                    .append("  name: ").append(resourceName(name)).append('\n')
                    .append("  labels:\n")
                    .append("    strimzi.io/cluster: ").append(CLUSTER).append('\n')
                    .append("spec:\n")
                    .append("  topicName: ").append(name).append('\n')
                    .append("  partitions: ").append(catalog.partitions(topic)).append('\n')
                    .append("  replicas: ").append(REPLICAS).append('\n')
                    .append("  config:\n");
            configs.forEach((key, value) -> out.append("    ").append(key).append(": \"").append(value).append("\"\n"));
        }
        return out.toString();
    }

    /**
     * One KafkaUser per service: named after its principal ({@code User:rlstream-worker} ->
     * {@code rlstream-worker}, the principal Strimzi gives a SCRAM user of that name), SCRAM-SHA-512,
     * and its ACLs as {@link AclSet} grants them, one entry per binding. Strimzi writes the user's
     * password and {@code sasl.jaas.config} into a Secret of the same name, which the pods read.
     */
    public static String users(AclSet acls) {
        StringBuilder out = new StringBuilder(header("io.rlstream.ops.security.AclSet (rlstream acls)"));
        for (AclSet.ServiceAcls service : acls.services()) {
            if (!service.principal().startsWith("User:")) {
                throw new IllegalArgumentException("a Strimzi KafkaUser needs a User: principal, got " + service.principal());
            }
            out.append("---\n")
                    .append("# ").append(service.service().job()).append('\n')
                    .append("apiVersion: kafka.strimzi.io/v1beta2\n")
                    .append("kind: KafkaUser\n")
                    .append("metadata:\n")
                    .append("  name: ").append(service.principal().substring("User:".length())).append('\n')
                    .append("  labels:\n")
                    .append("    strimzi.io/cluster: ").append(CLUSTER).append('\n')
                    .append("spec:\n")
                    .append("  authentication:\n")
                    .append("    type: scram-sha-512\n")
                    .append("  authorization:\n")
                    .append("    type: simple\n")
                    .append("    acls:\n");
            for (AclBinding binding : service.bindings()) {
                out.append("      - resource:\n")
                        .append("          type: ").append(camel(binding.pattern().resourceType().name(), false)).append('\n')
                        .append("          name: \"").append(binding.pattern().name()).append("\"\n")
                        .append("          patternType: ")
                        .append(binding.pattern().patternType() == PatternType.PREFIXED ? "prefix" : "literal").append('\n')
                        .append("        operations: [").append(camel(binding.entry().operation().name(), true)).append("]\n")
                        .append("        host: \"").append(binding.entry().host()).append("\"\n");
                if (binding.pattern().patternType() != PatternType.PREFIXED
                        && binding.pattern().patternType() != PatternType.LITERAL) {
                    throw new IllegalArgumentException("Strimzi takes literal and prefix patterns, not " + binding);
                }
            }
        }
        return out.toString();
    }

    /** Kafka's enum names as Strimzi spells them: TRANSACTIONAL_ID -> transactionalId, IDEMPOTENT_WRITE -> IdempotentWrite. */
    static String camel(String enumName, boolean capitalized) {
        StringBuilder out = new StringBuilder();
        for (String part : enumName.toLowerCase(java.util.Locale.ROOT).split("_")) {
            out.append(out.isEmpty() && !capitalized ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
        }
        return out.toString();
    }

    /** A Kubernetes name for a topic: lower case, dots as dashes ({@code rl.prompt-dispatch} -> {@code rl-prompt-dispatch}). */
    static String resourceName(String topic) {
        return topic.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    }

    private static String header(String what) {
        return "# Generated from " + what + " by io.rlstream.ops.k8s.StrimziResources; do not edit.\n"
                + "# Regenerate: java -cp \"ops/target/classes:$(cat launcher/target/classpath.txt)\""
                + " io.rlstream.ops.k8s.StrimziResources ops/k8s\n";
    }

    /** Writes {@link #files()} under the folder given (ops/k8s), or with --check exits 1 when one differs. */
    public static void main(String[] args) throws IOException {
        boolean check = args.length == 2 && args[0].equals("--check");
        if (args.length != 1 && !check) {
            System.err.println("usage: StrimziResources [--check] K8S_DIR   (writes the generated files under K8S_DIR, e.g. ops/k8s)");
            System.exit(2);
        }
        Path root = Path.of(args[args.length - 1]);
        int stale = 0;
        for (Map.Entry<String, String> file : files().entrySet()) {
            Path path = root.resolve(file.getKey());
            boolean same = Files.exists(path) && Files.readString(path).equals(file.getValue());
            if (check) {
                if (!same) {
                    System.err.println(path + " differs from the code; regenerate it (without --check)");
                    stale++;
                }
            } else if (!same) {
                Files.createDirectories(path.getParent());
                Files.writeString(path, file.getValue());
                System.out.println("wrote " + path);
            }
        }
        System.exit(stale == 0 ? 0 : 1);
    }
}
