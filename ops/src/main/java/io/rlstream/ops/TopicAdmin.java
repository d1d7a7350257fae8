package io.rlstream.ops;

import io.rlstream.config.ServiceConfig;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the topics of a {@link TopicCatalog} on any cluster, replicated: replication factor
 * min(3, brokers) and min.insync.replicas min(2, replication factor) unless told otherwise
 * (settings {@value ServiceConfig#TOPIC_REPLICATION_FACTOR} and
 * {@value ServiceConfig#TOPIC_MIN_INSYNC_REPLICAS}).
 */
public final class TopicAdmin {

    private static final long TIMEOUT_SECONDS = 60;

    private TopicAdmin() {
    }

    /** Replication factor for a cluster of {@code brokers}: min(3, brokers). */
    public static short defaultReplicationFactor(int brokers) {
        if (brokers < 1) {
            throw new IllegalArgumentException("a cluster has at least 1 broker, got " + brokers);
        }
        return (short) Math.min(3, brokers);
    }

    /** min.insync.replicas for a replication factor: min(2, rf), so one replica may be down. */
    public static int defaultMinInsyncReplicas(int replicationFactor) {
        return Math.min(2, replicationFactor);
    }

    /**
     * {@link #createTopics(Admin, TopicCatalog, short, int)} with the settings
     * {@value ServiceConfig#TOPIC_REPLICATION_FACTOR} and {@value ServiceConfig#TOPIC_MIN_INSYNC_REPLICAS}
     * of {@code config}; -1 (their default) is min(3, the cluster's brokers) and min(2, rf).
     */
    public static void createTopics(Admin admin, TopicCatalog catalog, ServiceConfig config) {
        int rf = config.getInt(ServiceConfig.TOPIC_REPLICATION_FACTOR);
        short replication = rf > 0 ? (short) rf : defaultReplicationFactor(brokerCount(admin));
        int isr = config.getInt(ServiceConfig.TOPIC_MIN_INSYNC_REPLICAS);
        createTopics(admin, catalog, replication, isr > 0 ? isr : defaultMinInsyncReplicas(replication));
    }

    /** How many brokers the cluster's metadata lists. */
    public static int brokerCount(Admin admin) {
        return get(admin.describeCluster().nodes(), "describe the cluster").size();
    }

    /** {@link #createTopics(Admin, TopicCatalog, short, int)} with min.insync.replicas min(2, rf). */
    public static void createTopics(Admin admin, TopicCatalog catalog, short replicationFactor) {
        createTopics(admin, catalog, replicationFactor, defaultMinInsyncReplicas(replicationFactor));
    }

    /**
     * Creates every catalog topic that does not exist yet, with the catalog's partition count,
     * {@code replicationFactor} copies, {@code min.insync.replicas} (a write with acks=all needs
     * that many copies) and each topic's {@link Topic#configs()}. Idempotent: existing topics are kept as they are (their
     * configs are not changed). The co-partitioned group topics (rl.prompt-dispatch, rl.rollouts,
     * rl.rewards) must have exactly the catalog's group partition count; if one exists with
     * another count, this fails before creating anything.
     *
     * @throws IllegalStateException on a partition-count mismatch of a co-partitioned topic, or
     *                               when the cluster refuses or does not answer
     */
    public static void createTopics(Admin admin, TopicCatalog catalog, short replicationFactor, int minInsyncReplicas) {
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replication factor must be >= 1, got " + replicationFactor);
        }
        if (minInsyncReplicas < 1 || minInsyncReplicas > replicationFactor) {
            throw new IllegalArgumentException("min.insync.replicas must be between 1 and the replication factor "
                    + replicationFactor + ", got " + minInsyncReplicas);
        }
        Map<String, Topic> byName = new LinkedHashMap<>();
        for (Topic topic : catalog.topics()) {
            byName.put(catalog.name(topic), topic);
        }
        Set<String> existing = get(admin.listTopics().names(), "list topics");
        List<String> present = byName.keySet().stream().filter(existing::contains).toList();
        checkCoPartitioning(admin, catalog, byName, present);

        List<NewTopic> missing = new ArrayList<>();
        for (Map.Entry<String, Topic> e : byName.entrySet()) {
            if (!existing.contains(e.getKey())) {
                Map<String, String> configs = new LinkedHashMap<>();
                configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(minInsyncReplicas));
                configs.putAll(e.getValue().configs());
                missing.add(new NewTopic(e.getKey(), catalog.partitions(e.getValue()), replicationFactor)
                        .configs(configs));
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        List<String> raced = new ArrayList<>();
        admin.createTopics(missing).values().forEach((name, future) -> {
            try {
                future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    raced.add(name); // someone else created it meanwhile: check it below
                } else {
                    throw new IllegalStateException("cannot create topic " + name + ": " + e.getCause(), e.getCause());
                }
            } catch (TimeoutException e) {
                throw new IllegalStateException("creating topic " + name + " timed out after "
                        + TIMEOUT_SECONDS + " s", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating topic " + name, e);
            }
        });
        checkCoPartitioning(admin, catalog, byName, raced);
    }

    private static void checkCoPartitioning(Admin admin, TopicCatalog catalog, Map<String, Topic> byName,
            List<String> names) {
        List<String> grouped = names.stream().filter(n -> byName.get(n).coPartitioned()).toList();
        if (grouped.isEmpty()) {
            return;
        }
        Map<String, TopicDescription> descriptions = get(admin.describeTopics(grouped).allTopicNames(),
                "describe topics " + grouped);
        List<String> problems = new ArrayList<>();
        for (String name : grouped) {
            int actual = descriptions.get(name).partitions().size();
            int wanted = catalog.partitions(byName.get(name));
            if (actual != wanted) {
                problems.add(name + " has " + actual + " partitions");
            }
        }
        if (!problems.isEmpty()) {
            List<String> groupTopics = catalog.topics().stream().filter(Topic::coPartitioned).map(catalog::name).toList();
            throw new IllegalStateException("topic partition mismatch: " + String.join(", ", problems)
                    + ", but the topic catalog needs " + catalog.groupPartitions() + " on each of " + groupTopics
                    + " (they are keyed by group_id and must be co-partitioned). Either configure the catalog's"
                    + " group partitions to match the existing topics, or delete these topics (or use another"
                    + " topic prefix) and create them again.");
        }
    }

    private static <T> T get(org.apache.kafka.common.KafkaFuture<T> future, String what) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot " + what + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot " + what + ": no answer within " + TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + what, e);
        }
    }
}
