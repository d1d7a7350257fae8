package io.rlstream.config;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The Kafka client settings among a command's settings, as Kafka's tools take them from
 * {@code --command-config}: every key of Kafka's producer, consumer or admin client
 * (security.protocol, sasl.*, ssl.*, ...) as is, and {@code kafka.KEY} with the prefix stripped;
 * {@code bootstrap.servers} is a setting of its own.
 */
public final class KafkaClientKeys {

    /** Keys of Kafka's producer, consumer and admin clients, but the bootstrap servers. */
    public static final Set<String> NAMES = names();

    private KafkaClientKeys() {
    }

    private static Set<String> names() {
        Set<String> keys = new HashSet<>(ConsumerConfig.configNames());
        keys.addAll(ProducerConfig.configNames());
        keys.addAll(AdminClientConfig.configNames());
        keys.remove(ServiceConfig.BOOTSTRAP_SERVERS);
        return Set.copyOf(keys);
    }

    /** Whether {@code key} configures a Kafka client: a client key, or {@code kafka.KEY}. */
    public static boolean isClientKey(String key) {
        return NAMES.contains(key) || key.startsWith(ServiceConfig.KAFKA_PASSTHROUGH_PREFIX);
    }

    /** The client settings among {@code settings}, {@code kafka.} prefixes stripped, in order. */
    public static Map<String, String> of(Map<String, String> settings) {
        Map<String, String> client = new LinkedHashMap<>();
        settings.forEach((k, v) -> {
            if (k.startsWith(ServiceConfig.KAFKA_PASSTHROUGH_PREFIX)) {
                client.put(k.substring(ServiceConfig.KAFKA_PASSTHROUGH_PREFIX.length()), v);
            } else if (NAMES.contains(k)) {
                client.put(k, v);
            }
        });
        return client;
    }
}
