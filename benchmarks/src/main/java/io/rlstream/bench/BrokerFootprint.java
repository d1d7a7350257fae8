package io.rlstream.bench;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.common.Node;

/**
 * Bytes on the brokers' disks per topic of one run (compressed, all replicas): where the
 * pipeline writes its data again (state store changelogs, the repartition topic, the batches).
 */
final class BrokerFootprint {

    private BrokerFootprint() {
    }

    /**
     * @return topic name without {@code prefix} to bytes, largest first, for the topics whose name
     *         starts with {@code prefix}; empty if the cluster does not say
     */
    static Map<String, Long> bytesByTopic(Admin admin, String prefix) {
        try {
            Collection<Node> nodes = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
            Map<Integer, Map<String, LogDirDescription>> dirs = admin
                    .describeLogDirs(nodes.stream().map(Node::id).toList()).allDescriptions().get(30, TimeUnit.SECONDS);
            Map<String, Long> sizes = new TreeMap<>();
            dirs.values().forEach(byDir -> byDir.values().forEach(dir -> dir.replicaInfos().forEach((tp, info) -> {
                if (tp.topic().startsWith(prefix)) {
                    sizes.merge(tp.topic().substring(prefix.length()), info.size(), Long::sum);
                }
            })));
            Map<String, Long> largestFirst = new LinkedHashMap<>();
            sizes.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> largestFirst.put(e.getKey(), e.getValue()));
            return largestFirst;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return Map.of();
        }
    }
}
