package io.rlstream.ops;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;

/**
 * A local Kafka cluster of several KRaft nodes, each its own child JVM ({@link KafkaBrokerProcess})
 * in combined mode (broker and controller in one process): with 3 nodes the controller quorum
 * (a static one: {@code controller.quorum.voters}) keeps its majority with one node down, and 3
 * JVMs instead of 6 fit a small machine. Node {@code i} (1-based) lives in {@code DIR/node-i}; its
 * ports are picked once, so that {@link #kill(int)} (SIGKILL) and {@link #restart(int)} bring
 * back the same node with the same storage. Broker settings: {@link KafkaBrokerProcess#replicationSettings(int)}.
 */
public final class KafkaCluster implements AutoCloseable {

    private final List<KafkaBrokerProcess> nodes;

    private KafkaCluster(List<KafkaBrokerProcess> nodes) {
        this.nodes = nodes;
    }

    /**
     * Launches {@code size} nodes (at least 2; one broker is {@link KafkaBrokerProcess#start})
     * without waiting; their data folders are wiped first.
     */
    static KafkaCluster launch(Path dir, int size, Map<String, String> overrides) {
        if (size < 2) {
            throw new IllegalArgumentException("a KafkaCluster has at least 2 nodes, got " + size);
        }
        String clusterId = Uuid.randomUuid().toString();
        List<Integer> ports = new ArrayList<>();
        while (ports.size() < 2 * size) {
            int port = ChildProcesses.freePort();
            if (!ports.contains(port)) {
                ports.add(port);
            }
        }
        StringBuilder voters = new StringBuilder();
        for (int i = 1; i <= size; i++) {
            voters.append(i == 1 ? "" : ",").append(i).append('@').append(ChildProcesses.LOOPBACK).append(':')
                    .append(ports.get(2 * (i - 1) + 1));
        }
        Map<String, String> settings = new LinkedHashMap<>(KafkaBrokerProcess.replicationSettings(size));
        settings.putAll(overrides);
        List<KafkaBrokerProcess> nodes = new ArrayList<>();
        try {
            for (int i = 1; i <= size; i++) {
                nodes.add(KafkaBrokerProcess.launchNode(dir.resolve("node-" + i), settings, clusterId, i,
                        voters.toString(), ports.get(2 * (i - 1)), ports.get(2 * (i - 1) + 1)));
            }
        } catch (RuntimeException e) {
            nodes.forEach(KafkaBrokerProcess::close);
            throw e;
        }
        return new KafkaCluster(List.copyOf(nodes));
    }

    /** Starts a cluster and waits until every node is registered; see {@link #launch}. */
    public static KafkaCluster start(Path dir, int size, Duration timeout) {
        KafkaCluster cluster = launch(dir, size, Map.of());
        try {
            cluster.awaitReady(timeout);
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** Waits until every node answers and the cluster's metadata lists all of them. */
    void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (KafkaBrokerProcess node : nodes) {
            node.awaitReady(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        }
        awaitNodes(nodes.size(), Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
    }

    /** Waits until the cluster's metadata lists {@code count} live brokers. */
    void awaitNodes(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (liveNodeIds().size() < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the Kafka cluster at " + bootstrapServers() + " lists brokers "
                        + liveNodeIds() + ", not " + count + ", after " + timeout.toSeconds() + " s; see the logs "
                        + nodes.stream().map(n -> n.logFile().toString()).toList());
            }
            sleep(200);
        }
    }

    /** Ids of the brokers the cluster's metadata lists now (registered and not fenced); empty if none answers. */
    public Set<Integer> liveNodeIds() {
        try (Admin admin = admin(3000)) {
            return admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).stream().map(Node::id)
                    .collect(Collectors.toCollection(java.util.TreeSet::new));
        } catch (ExecutionException | TimeoutException e) {
            return Set.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing the cluster", e);
        }
    }

    /** {@link #underReplicated(java.util.Collection)} of every topic, internal ones included; null if no answer. */
    public List<String> underReplicated() {
        try (Admin admin = admin(3000)) {
            Set<String> names = admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true))
                    .names().get(10, TimeUnit.SECONDS);
            return underReplicated(names);
        } catch (ExecutionException | TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing topics", e);
        }
    }

    /**
     * Partitions of these topics whose in-sync replicas are fewer than their replicas
     * ({@code "topic-p"}); empty when every replica has caught up. Null if the cluster does not answer.
     */
    public List<String> underReplicated(java.util.Collection<String> topics) {
        try (Admin admin = admin(3000)) {
            Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames()
                    .get(10, TimeUnit.SECONDS);
            List<String> under = new ArrayList<>();
            described.forEach((name, d) -> {
                for (TopicPartitionInfo p : d.partitions()) {
                    if (p.isr().size() < p.replicas().size()) {
                        under.add(name + "-" + p.partition());
                    }
                }
            });
            return under;
        } catch (ExecutionException | TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing topics", e);
        }
    }

    private Admin admin(int requestTimeoutMs) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeoutMs);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2 * requestTimeoutMs);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "rlstream-ops-cluster");
        return Admin.create(config);
    }

    /** SIGKILL to node {@code id} (1-based): no controlled shutdown, its storage stays as the kill left it. */
    public void kill(int id) {
        node(id).kill();
    }

    /** Starts node {@code id} again with its storage and ports; waits until it answers on its port. */
    public void restart(int id, Duration timeout) {
        KafkaBrokerProcess node = node(id);
        node.restart();
        node.awaitReady(timeout);
    }

    /** Node {@code id}, 1-based as the node ids. */
    public KafkaBrokerProcess node(int id) {
        if (id < 1 || id > nodes.size()) {
            throw new IllegalArgumentException("no broker node " + id + "; nodes are 1.." + nodes.size());
        }
        return nodes.get(id - 1);
    }

    public List<KafkaBrokerProcess> nodes() {
        return nodes;
    }

    public int size() {
        return nodes.size();
    }

    /** Every node's {@code 127.0.0.1:PORT}, comma-separated: clients still connect with any one node down. */
    public String bootstrapServers() {
        return nodes.stream().map(KafkaBrokerProcess::bootstrapServers).collect(Collectors.joining(","));
    }

    /** Stops every node at once (SIGTERM, then SIGKILL after their grace); idempotent. */
    @Override
    public void close() {
        List<Thread> stops = new ArrayList<>();
        for (KafkaBrokerProcess node : nodes) {
            Thread t = new Thread(node::close, "rlstream-stop-broker-" + node.nodeId());
            t.start();
            stops.add(t);
        }
        for (Thread t : stops) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the Kafka cluster", e);
        }
    }
}
