package io.rlstream.config;

import io.rlstream.schemas.Topic;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The Kafka Streams settings every rlstream Streams app runs with (the grouping app, the
 * step-summary app): the pass-through client settings of its {@link ServiceConfig}, then ours,
 * exactly-once always. One place, so that the apps that run side by side in one process cannot
 * drift apart on record sizes or guarantees.
 */
public final class ExactlyOnceStreams {

    /**
     * Kafka Streams' num.standby.replicas for an app's state stores: warm copies kept up to date on
     * other instances, so that a task moved by a rebalance (an instance killed) resumes without
     * restoring its store from the changelog. Useful with two or more instances; 0 is Kafka's default.
     */
    public static final String STANDBY_REPLICAS = "streams.num.standby.replicas";

    /** The Streams apps' producer batch.size (Kafka's default is 16 KiB). */
    public static final int PRODUCER_BATCH_BYTES = 256 * 1024;

    private ExactlyOnceStreams() {
    }

    /** Adds {@value #STANDBY_REPLICAS} to a Streams service's definition. */
    public static ConfigDef defineStandbyReplicas(ConfigDef definition) {
        return definition.define(STANDBY_REPLICAS, ConfigDef.Type.INT, 0, ConfigDef.Range.between(0, 16),
                ConfigDef.Importance.LOW, "Kafka Streams standby replicas (num.standby.replicas): warm copies of each "
                        + "state store on other instances of the app, so that a task moved by a rebalance resumes without "
                        + "restoring from its changelog; needs as many more instances (docs/operations.md#many-instances).");
    }

    public static Properties properties(ServiceConfig config, String applicationId, String stateDir,
            long commitIntervalMs) {
        Properties props = new Properties();
        // Groups and batches carry token ids: allow records up to the topics' limit (docs/architecture.md#topics, record sizes).
        props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), Topic.MAX_MESSAGE_BYTES);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "zstd");
        // A batch record with its tokens is tens of KB (G x ~8 KB at 1,000 tokens): at the default
        // 16 KiB batch.size each was a produce request of its own on rl.training-batches' one
        // partition (2,391 requests for 2,000 groups in bench processors). Batches of up to
        // PRODUCER_BATCH_BYTES carry several per request.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), PRODUCER_BATCH_BYTES);
        props.put(StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG), Integer.toString(Topic.MAX_MESSAGE_BYTES));
        replication(props, config);
        props.putAll(config.clientProps());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        // Static membership: a restarted instance is back at work in seconds (issue 19).
        GroupMembership.applyToStreams(props, config, stateDir);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        if (config.values().containsKey(STANDBY_REPLICAS)) {
            props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.getInt(STANDBY_REPLICAS));
        }
        // The default from Kafka 5.0 on; set now so that 4.x does not warn about it at every start.
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        return props;
    }

    /**
     * Internal topics replicated like the catalog's: {@code replication.factor} from
     * {@value ServiceConfig#TOPIC_REPLICATION_FACTOR} (-1, Streams' own default too, is the
     * broker's default.replication.factor) and {@code min.insync.replicas} from
     * {@value ServiceConfig#TOPIC_MIN_INSYNC_REPLICAS} (automatic: min(2, rf) when rf is set,
     * else the broker's default).
     */
    static void replication(Properties props, ServiceConfig config) {
        if (!config.values().containsKey(ServiceConfig.TOPIC_REPLICATION_FACTOR)) {
            return;
        }
        int rf = config.getInt(ServiceConfig.TOPIC_REPLICATION_FACTOR);
        int isr = config.getInt(ServiceConfig.TOPIC_MIN_INSYNC_REPLICAS);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, rf);
        if (isr < 1 && rf > 0) {
            isr = Math.min(2, rf);
        }
        if (isr > 0) {
            props.put(StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG), Integer.toString(isr));
        }
    }
}
