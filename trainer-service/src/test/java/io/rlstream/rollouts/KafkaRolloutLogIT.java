package io.rlstream.rollouts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.FinishReason;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PipelineFixture;
import io.rlstream.tokens.Tokens;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * KafkaRolloutLog on a real broker and registry: batches asked for in the order their rollouts
 * were written (as the grouping app and the trainer ask) fetch each rollout once, where seeking to
 * every batch anew fetched it about five times (issue 18); reads behind the consumer's position,
 * with nothing kept, seek back and still return the right rollouts; aborted and deleted rollouts are
 * reported missing, never replaced.
 */
class KafkaRolloutLogIT {

    private static final TopicCatalog CATALOG = new TopicCatalog("krl.", 2);
    private static final int ROLLOUTS = 400;
    private static final int BATCH = 32;

    @Test
    void batchesInWriteOrderFetchEachRolloutOnce() throws Exception {
        try (PipelineFixture pipeline = PipelineFixture.start(CATALOG)) {
            List<RolloutLog.Position> written = write(pipeline, 0, ROLLOUTS);
            try (KafkaRolloutLog log = log(pipeline, KafkaRolloutLog.CACHE_BYTES)) {
                for (int from = 0; from < ROLLOUTS; from += BATCH) {
                    assertBatch(log, written, IntStream.range(from, Math.min(from + BATCH, ROLLOUTS)).toArray());
                }
                // Never sought back, nothing fetched twice: the consumer returned each record once.
                assertEquals(ROLLOUTS, log.recordsRead());
            }
        }
    }

    @Test
    void readsBehindThePositionSeekBackAndAbortedOrDeletedRolloutsAreMissing() throws Exception {
        try (PipelineFixture pipeline = PipelineFixture.start(CATALOG)) {
            List<RolloutLog.Position> written = write(pipeline, 0, ROLLOUTS);
            try (KafkaRolloutLog log = log(pipeline, 0)) {
                // no cache: whatever the consumer read past is dropped, so these must seek back
                assertBatch(log, written, IntStream.range(300, 300 + BATCH).toArray());
                assertBatch(log, written, IntStream.range(0, BATCH).toArray());
                assertBatch(log, written, 399, 5, 200, 6);
                assertTrue(log.recordsRead() > 2 * BATCH + 4, "read through, not only what was wanted: " + log.recordsRead());
            }

            // three rollouts in an aborted transaction, then three committed, all on partition 0
            List<RolloutLog.Position> aborted = new ArrayList<>();
            Map<String, Object> props = new HashMap<>(pipeline.kafka().clientConfig());
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "krl-aborting");
            try (KafkaProducer<String, Rollout> producer = new KafkaProducer<>(props, new StringSerializer(),
                    pipeline.serdes().serde(Rollout.class).serializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                for (int i = ROLLOUTS; i < ROLLOUTS + 3; i++) {
                    RecordMetadata m = producer.send(record(i, 0)).get();
                    aborted.add(new RolloutLog.Position(m.partition(), m.offset()));
                }
                producer.abortTransaction();
            }
            List<RolloutLog.Position> committed = write(pipeline, ROLLOUTS + 3, 3);
            try (KafkaRolloutLog log = log(pipeline, KafkaRolloutLog.CACHE_BYTES)) {
                List<RolloutLog.Position> asked = new ArrayList<>(aborted);
                asked.addAll(committed);
                Map<RolloutLog.Position, Rollout> got = log.read(asked);
                aborted.forEach(p -> assertFalse(got.containsKey(p), "aborted " + p));
                for (int i = 0; i < 3; i++) {
                    assertRollout(ROLLOUTS + 3 + i, got.get(committed.get(i)));
                }
            }

            // partition 0 deleted below rollout 100's offset: positions before it are gone, the rest are read
            RolloutLog.Position cut = written.get(100);
            TopicPartition p0 = new TopicPartition(CATALOG.name(Topic.ROLLOUTS), cut.partition());
            pipeline.kafka().admin().deleteRecords(Map.of(p0, RecordsToDelete.beforeOffset(cut.offset()))).all().get();
            try (KafkaRolloutLog log = log(pipeline, KafkaRolloutLog.CACHE_BYTES)) {
                Map<RolloutLog.Position, Rollout> got = log.read(List.of(written.get(0), written.get(50), cut,
                        written.get(1), written.get(102)));
                assertFalse(got.containsKey(written.get(0)), "deleted");
                assertFalse(got.containsKey(written.get(50)), "deleted");
                assertRollout(100, got.get(cut));
                assertRollout(1, got.get(written.get(1)));
                assertRollout(102, got.get(written.get(102)));
            }
        }
    }

    private static void assertBatch(KafkaRolloutLog log, List<RolloutLog.Position> written, int... indexes) {
        List<RolloutLog.Position> asked = IntStream.of(indexes).mapToObj(written::get).toList();
        Map<RolloutLog.Position, Rollout> got = log.read(asked);
        assertEquals(asked.size(), got.size(), "every position asked for is returned");
        for (int i : indexes) {
            assertRollout(i, got.get(written.get(i)));
        }
    }

    /** The rollout written as number {@code i}: its id and its response tokens, ids and log-probs. */
    private static void assertRollout(int i, Rollout r) {
        assertNotNull(r, "rollout " + i);
        assertEquals("r-" + i, r.getRolloutId());
        assertArrayEquals(response(i), Tokens.responseIds(r), "rollout " + i);
        assertEquals(-0.5f - (i % 7), Tokens.logprobs(r)[3], 0f, "rollout " + i);
    }

    /** Rollouts {@code first .. first + n - 1}, even numbers to partition 0 and odd ones to 1, in order. */
    private static List<RolloutLog.Position> write(PipelineFixture pipeline, int first, int n) throws Exception {
        List<RolloutLog.Position> out = new ArrayList<>();
        try (KafkaProducer<String, Rollout> producer = pipeline.producer(Rollout.class)) {
            for (int i = first; i < first + n; i++) {
                RecordMetadata m = producer.send(record(i, i % 2)).get();
                out.add(new RolloutLog.Position(m.partition(), m.offset()));
            }
        }
        return out;
    }

    private static ProducerRecord<String, Rollout> record(int i, int partition) {
        int[] response = response(i);
        float[] logprobs = new float[response.length];
        java.util.Arrays.fill(logprobs, -0.5f - (i % 7));
        Rollout r = Tokens.pack(Rollout.newBuilder(), new int[] {1, 2, 3}, response, logprobs)
                .setRolloutId("r-" + i).setGroupId("g-" + i / 8).setPromptId("p-" + i / 8).setSampleIndex(i % 8)
                .setGroupSize(8).setResponseText("-").setPolicyVersion(0).setFinishReason(FinishReason.STOP)
                .setStatus(SampleStatus.OK).setGeneratedAt(Instant.EPOCH).build();
        return new ProducerRecord<>(CATALOG.name(Topic.ROLLOUTS), partition, r.getGroupId(), r);
    }

    private static int[] response(int i) {
        return IntStream.range(0, 100).map(t -> (i * 31 + t) % 1000).toArray();
    }

    private static KafkaRolloutLog log(PipelineFixture pipeline, long cacheBytes) {
        return new KafkaRolloutLog(pipeline.kafka().clientConfig(), "krl-test", CATALOG.name(Topic.ROLLOUTS),
                pipeline.serdes().serde(Rollout.class).deserializer(), Duration.ofSeconds(30), cacheBytes);
    }
}
