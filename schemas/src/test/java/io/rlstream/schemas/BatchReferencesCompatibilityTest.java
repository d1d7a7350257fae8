package io.rlstream.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.rlstream.events.BatchTokens;
import io.rlstream.events.PreferencePair;
import io.rlstream.events.RolloutPosition;
import io.rlstream.events.ScoredSample;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.tokens.Tokens;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/**
 * Batches and pairs by reference (processors batch.tokens=reference) against the schemas before
 * them (frozen in src/test/resources/compat/before-batch-references). Which versions mix:
 * <ul>
 *   <li>new readers, old writers: yes (BACKWARD). A record written before has no {@code tokens}
 *       field and reads as INLINE: its tokens are in it;</li>
 *   <li>old readers, new writers: inline records are read exactly as before (FORWARD: Avro skips
 *       the new fields). A reference record decodes too, but an old reader sees a sample with no
 *       tokens; the trainer's input checks before this change refuse it as bad input ("empty
 *       prompt", the batch dead-lettered), so nothing trains on it, yet nothing trains at all:
 *       upgrade trainers (and other readers that need tokens) before setting batch.tokens=reference
 *       (docs/operations.md#switching-training-batches-to-references-batchtokens).</li>
 * </ul>
 */
class BatchReferencesCompatibilityTest {

    private static final Path BEFORE = Path.of("src/test/resources/compat/before-batch-references");

    private static Schema before(String fullName) throws IOException {
        return SchemaCompatibilityTest.parseAll(BEFORE).get(fullName);
    }

    @Test
    void trainingBatchAndPreferencePairAreCompatibleBothWaysByAvrosRules() throws IOException {
        for (Class<?> type : List.of(TrainingBatchGroup.class, PreferencePair.class)) {
            Schema current = SpecificData.get().getSchema(type);
            Schema old = before(current.getFullName());
            SchemaCompatibilityTest.assertCompatibleBothWays(current, old, type.getSimpleName());
        }
    }

    @Test
    void aBatchWrittenBeforeReadsAsInlineWithItsTokens() throws IOException {
        Schema old = before("io.rlstream.events.TrainingBatchGroup");
        TrainingBatchGroup inline = batch(Tokens.pack(sample(), new int[] {1, 2}, new int[] {3, 4},
                new float[] {-1f, -2f}).build(), BatchTokens.INLINE);
        // written with the old schema (the old writer's bytes: no tokens field)
        GenericRecord asOld = new GenericDatumReader<GenericRecord>(TrainingBatchGroup.getClassSchema(), old)
                .read(null, DecoderFactory.get().binaryDecoder(encode(TrainingBatchGroup.getClassSchema(), inline), null));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new org.apache.avro.generic.GenericDatumWriter<GenericRecord>(old).write(asOld, enc);
        enc.flush();
        TrainingBatchGroup read = new SpecificDatumReader<TrainingBatchGroup>(old, TrainingBatchGroup.getClassSchema())
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
        assertEquals(BatchTokens.INLINE, read.getTokens(), "the default");
        assertEquals(List.of(3, 4), java.util.Arrays.stream(Tokens.responseIds(read.getSamples().get(0))).boxed().toList());
    }

    @Test
    void anOldReaderDecodesAReferenceBatchButSeesNoTokensSoTrainersUpgradeFirst() throws IOException {
        TrainingBatchGroup reference = batch(sample().setResponseLength(2).setSource(new RolloutPosition(1, 42L))
                .build(), BatchTokens.REFERENCE);
        byte[] bytes = encode(TrainingBatchGroup.getClassSchema(), reference);
        GenericRecord oldView = new GenericDatumReader<GenericRecord>(TrainingBatchGroup.getClassSchema(),
                before("io.rlstream.events.TrainingBatchGroup")).read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        assertEquals("g", oldView.get("group_id").toString());
        GenericRecord oldSample = (GenericRecord) ((List<?>) oldView.get("samples")).get(0);
        assertNull(oldSample.get("packed_response_token_ids"));
        assertEquals(0, ((List<?>) oldSample.get("response_token_ids")).size(), "no tokens for an old reader");
        assertEquals(42L, ((GenericRecord) oldSample.get("source")).get("offset"), "but the position is there");
        // the new reader sees the mark
        TrainingBatchGroup back = new SpecificDatumReader<TrainingBatchGroup>(TrainingBatchGroup.class)
                .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        assertEquals(BatchTokens.REFERENCE, back.getTokens());
    }

    @Test
    void aPairByReferenceKeepsItsPositionsAndAnOldPairReadsAsInline() throws IOException {
        PreferencePair pair = PreferencePair.newBuilder().setPromptId("p").setGroupId("g").setChosenReward(1)
                .setRejectedReward(0).setPolicyVersion(3).setCreatedAt(Instant.EPOCH).setTokens(BatchTokens.REFERENCE)
                .setChosenSource(new RolloutPosition(0, 5L)).setRejectedSource(new RolloutPosition(0, 7L)).build();
        byte[] bytes = encode(PreferencePair.getClassSchema(), pair);
        PreferencePair back = new SpecificDatumReader<PreferencePair>(PreferencePair.class)
                .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        assertEquals(new RolloutPosition(0, 7L), back.getRejectedSource());
        Schema old = before("io.rlstream.events.PreferencePair");
        GenericRecord oldView = new GenericDatumReader<GenericRecord>(PreferencePair.getClassSchema(), old)
                .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        assertEquals(0, ((List<?>) oldView.get("chosen_token_ids")).size(), "an old reader sees no tokens");
        // a pair of the old schema reads as INLINE with no positions
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new org.apache.avro.generic.GenericDatumWriter<GenericRecord>(old).write(oldView, enc);
        enc.flush();
        PreferencePair fromOld = new SpecificDatumReader<PreferencePair>(old, PreferencePair.getClassSchema())
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
        assertEquals(BatchTokens.INLINE, fromOld.getTokens());
        assertNull(fromOld.getChosenSource());
    }

    private static ScoredSample.Builder sample() {
        return ScoredSample.newBuilder().setRolloutId("g/0").setReward(1).setAdvantage(0.5f).setPolicyVersion(2);
    }

    private static TrainingBatchGroup batch(ScoredSample s, BatchTokens tokens) {
        return TrainingBatchGroup.newBuilder().setBatchId("b").setBatchSequence(0).setGroupIndex(0).setBatchGroups(1)
                .setBatchSamples(1).setMinPolicyVersion(2).setMaxPolicyVersion(2).setFilterStats(Map.of())
                .setGroupId("g").setPromptId("p").setEstimator("grpo").setSamples(List.of(s))
                .setCreatedAt(Instant.EPOCH).setTokens(tokens).build();
    }

    private static byte[] encode(Schema schema, Object record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<Object>(schema).write(record, enc);
        enc.flush();
        return out.toByteArray();
    }
}
