package io.rlstream.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.rlstream.events.FinishReason;
import io.rlstream.events.Reward;
import io.rlstream.events.RolloutPosition;
import io.rlstream.events.RolloutSummary;
import io.rlstream.events.SampleStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/**
 * Reward.rollout (the rollout summary, issue 18) against the Reward before it (frozen in
 * src/test/resources/compat/before-rollout-summary). Which versions mix:
 * <ul>
 *   <li>new readers, old writers: yes; an old reward reads with rollout = null (BACKWARD). The
 *       grouping app in {@code grouping.rollouts.source = rewards} then has no rollout for it and
 *       dead-letters it, saying to upgrade the reward service or use {@code rollouts-topic};</li>
 *   <li>old readers, new writers: yes; Avro skips the summary (FORWARD). So the reward service
 *       upgrades first, then the processors
 *       (docs/operations.md#upgrading-to-rollout-summaries-in-rewards-issue-18).</li>
 * </ul>
 */
class RolloutSummaryCompatibilityTest {

    private static final Path BEFORE = Path.of("src/test/resources/compat/before-rollout-summary");

    private static Schema before() throws IOException {
        return SchemaCompatibilityTest.parseAll(BEFORE).get("io.rlstream.events.Reward");
    }

    @Test
    void rewardIsCompatibleBothWaysByAvrosRules() throws IOException {
        Schema old = before();
        SchemaCompatibilityTest.assertCompatibleBothWays(Reward.getClassSchema(), old, "Reward");
    }

    @Test
    void aNewReaderReadsAnOldRewardWithoutASummary() throws IOException {
        Schema old = before();
        GenericRecord written = new GenericData.Record(old);
        written.put("rollout_id", "g/1");
        written.put("group_id", "g");
        written.put("prompt_id", "p");
        written.put("score", 0.5);
        written.put("components", Map.of("correctness", 1.0));
        written.put("status", new GenericData.EnumSymbol(old.getField("status").schema(), "OK"));
        written.put("verifier", "numeric");
        written.put("scored_at", 1_700_000_000_000L);
        byte[] bytes = encode(old, written);

        Reward read = new SpecificDatumReader<Reward>(old, Reward.getClassSchema())
                .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        assertEquals("g/1", read.getRolloutId());
        assertEquals(0.5, read.getScore());
        assertNull(read.getRollout());
    }

    @Test
    void anOldReaderReadsANewRewardAndSkipsItsSummary() throws IOException {
        Reward reward = Reward.newBuilder().setRolloutId("g/1").setGroupId("g").setPromptId("p").setScore(0.25)
                .setComponents(Map.of()).setStatus(SampleStatus.OK).setVerifier("numeric")
                .setScoredAt(Instant.ofEpochMilli(1_700_000_000_000L))
                .setRollout(RolloutSummary.newBuilder().setRolloutId("g/1").setPromptId("p").setSampleIndex(1)
                        .setGroupSize(4).setPolicyVersion(3).setFinishReason(FinishReason.STOP)
                        .setStatus(SampleStatus.OK).setResponseLength(7).setSource(new RolloutPosition(2, 41L)).build())
                .build();
        byte[] bytes = encode(Reward.getClassSchema(), reward);

        GenericRecord oldView = new GenericDatumReader<GenericRecord>(Reward.getClassSchema(), before())
                .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        assertEquals("g/1", oldView.get("rollout_id").toString());
        assertEquals(0.25, oldView.get("score"));
        assertNull(oldView.getSchema().getField("rollout"));
        // and the new reader gets the summary and its position back
        Reward back = new SpecificDatumReader<Reward>(Reward.class)
                .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        assertEquals(new RolloutPosition(2, 41L), back.getRollout().getSource());
        assertEquals(7, back.getRollout().getResponseLength());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static byte[] encode(Schema schema, Object record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        if (record instanceof GenericData.Record) {
            new GenericDatumWriter(schema).write(record, enc);
        } else {
            new SpecificDatumWriter(schema).write(record, enc);
        }
        enc.flush();
        return out.toByteArray();
    }
}
