package io.rlstream.lake;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Where a sink has to get to, per partition, to hold everything a topic has now: the offset after
 * the last record a read_committed consumer sees. That is not the end offset: a transactional
 * topic ends with commit markers, which are never delivered, so a sink that has everything
 * commits an offset below the end.
 */
public final class TopicEnds {

    private TopicEnds() {
    }

    /** For every partition of the topics: offset of its last visible record + 1, or 0 when it has none. */
    public static Map<TopicPartition, Long> lastRecordEnds(Map<String, Object> clientProps, List<String> topics) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Map<TopicPartition, Long> ends = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
                if (infos == null || infos.isEmpty()) {
                    throw new IllegalArgumentException("topic " + topic + " does not exist");
                }
                infos.forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            Map<TopicPartition, Long> stable = consumer.endOffsets(partitions); // last stable offset under read_committed
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            for (TopicPartition tp : partitions) {
                ends.put(tp, lastRecordEnd(consumer, tp, begin.get(tp), stable.get(tp)));
            }
        }
        return ends;
    }

    /** Looks back from the end in growing windows for the last visible record. */
    private static long lastRecordEnd(KafkaConsumer<byte[], byte[]> consumer, TopicPartition tp, long begin, long end) {
        consumer.assign(List.of(tp));
        long window = 16;
        long from = end;
        while (from > begin) {
            long start = Math.max(begin, end - window);
            consumer.seek(tp, start);
            long last = -1;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (consumer.position(tp) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + tp + " from " + start + " to " + end + " took over 60 s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500)).records(tp)) {
                    if (r.offset() < end) {
                        last = Math.max(last, r.offset());
                    }
                }
            }
            if (last >= 0) {
                return last + 1;
            }
            from = start;
            window *= 4;
        }
        return 0;
    }
}
