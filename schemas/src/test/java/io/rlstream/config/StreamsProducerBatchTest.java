package io.rlstream.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/**
 * The Streams apps' producers batch up to 256 KiB, so that batch records of tens of KB share
 * produce requests (Kafka's 16 KiB default sent one request per record to rl.training-batches);
 * a user's kafka.producer.batch.size still wins.
 */
class StreamsProducerBatchTest {

    private static Map<String, Object> producerConfigs(Map<String, String> settings) {
        Properties p = ExactlyOnceStreams.properties(new ServiceConfig(ServiceConfig.baseDef(), settings), "app",
                "/tmp/s", 100);
        p.putIfAbsent(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
        // What Kafka Streams itself hands the producer it builds for a stream thread.
        return new StreamsConfig(p).getProducerConfigs("client");
    }

    @Test
    void theStreamsProducerBatchesUpTo256KiB() {
        assertEquals(256 * 1024, producerConfigs(Map.of()).get(ProducerConfig.BATCH_SIZE_CONFIG));
    }

    @Test
    void aPassThroughSettingReplacesIt() {
        assertEquals("65536", String.valueOf(producerConfigs(Map.of("kafka.producer.batch.size", "65536"))
                .get(ProducerConfig.BATCH_SIZE_CONFIG)));
    }
}
