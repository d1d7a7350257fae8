package io.rlstream.bench;

import io.rlstream.schemas.Topic;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Client settings both sides of the benchmark share, so that they differ only in what happens
 * between producer and consumer.
 */
final class BenchClients {

    /**
     * Batches of up to 256 KiB: a rollout of 1,000 tokens is ~5 KB, and the default 16 KiB batch
     * would hold three of them, compress poorly and cost a request each.
     */
    static final int BATCH_BYTES = 256 * 1024;
    static final int LINGER_MS = 5;

    private BenchClients() {
    }

    /** acks=all, idempotent, linger 5 ms, 256 KiB batches, zstd, records up to the topics' 16 MiB limit. */
    static Map<String, Object> producer(String bootstrapServers, String clientId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, BATCH_BYTES);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topic.MAX_MESSAGE_BYTES);
        return p;
    }

    /** A read_committed consumer without a group: readers assign partitions and seek themselves. */
    static Map<String, Object> consumer(String bootstrapServers, String clientId) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // A batch record holds a whole group (G x ~5 KB and more): let one fetch carry several.
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topic.MAX_MESSAGE_BYTES);
        return c;
    }
}
