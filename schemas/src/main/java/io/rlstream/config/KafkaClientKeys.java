package io.rlstream.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The names of Kafka client settings, as Kafka's own tools take them in a
 * {@code --command-config client.properties}: every key the producer, consumer, admin client and
 * Kafka Streams declare (their {@code configNames()}, which include the {@code security.protocol},
 * {@code sasl.*} and {@code ssl.*} keys of {@code CommonClientConfigs}, {@code SaslConfigs} and
 * {@code SslConfigs}). A settings file or {@code --set} may hold them unprefixed; they reach every
 * Kafka client a service makes ({@link ServiceConfig#clientProps()}).
 */
public final class KafkaClientKeys {

    /** Every Kafka client key, sorted. */
    public static final Set<String> NAMES = names();

    private KafkaClientKeys() {
    }

    /** Whether {@code key} is a setting of a Kafka producer, consumer, admin client or Streams app. */
    public static boolean contains(String key) {
        return NAMES.contains(key);
    }

    private static Set<String> names() {
        Set<String> names = new TreeSet<>();
        names.addAll(ProducerConfig.configNames());
        names.addAll(ConsumerConfig.configNames());
        names.addAll(AdminClientConfig.configNames());
        names.addAll(StreamsConfig.configDef().names());
        return Collections.unmodifiableSet(names);
    }

    /** Whether {@code key} configures a Kafka client: a client key, or {@code kafka.KEY}. */
    public static boolean isClientKey(String key) {
        return NAMES.contains(key) || key.startsWith(ServiceConfig.KAFKA_PASSTHROUGH_PREFIX);
    }

    /**
     * The settings among {@code settings} for a plain producer, consumer or admin client (not the
     * bootstrap servers, which a command sets itself), {@code kafka.} prefixes stripped, in order.
     */
    public static Map<String, String> of(Map<String, String> settings) {
        Map<String, String> client = new LinkedHashMap<>();
        settings.forEach((k, v) -> {
            if (k.startsWith(ServiceConfig.KAFKA_PASSTHROUGH_PREFIX)) {
                client.put(k.substring(ServiceConfig.KAFKA_PASSTHROUGH_PREFIX.length()), v);
            } else if (CLIENTS.contains(k) && !k.equals(ServiceConfig.BOOTSTRAP_SERVERS)) {
                client.put(k, v);
            }
        });
        return client;
    }

    /** Keys of the producer, consumer and admin clients (not Streams' own). */
    private static final Set<String> CLIENTS = clients();

    private static Set<String> clients() {
        Set<String> names = new TreeSet<>(ProducerConfig.configNames());
        names.addAll(ConsumerConfig.configNames());
        names.addAll(AdminClientConfig.configNames());
        return Collections.unmodifiableSet(names);
    }
}
