package io.rlstream.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.rlstream.events.FinishReason;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.tokens.Tokens;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/**
 * Packed token fields (issue 18) against the schemas before them (frozen in
 * src/test/resources/compat/before-packed-tokens). Which versions mix:
 * <ul>
 *   <li>new readers, old writers: yes. A record written before has null packed fields and
 *       its arrays, and {@link Tokens} reads the arrays (BACKWARD);</li>
 *   <li>old readers, new writers: the records decode (Avro skips the new fields; the arrays
 *       default to empty), but an old reader sees no tokens. So readers upgrade first: trainer,
 *       then processors and reward service, then workers (docs/operations.md#upgrading-across-the-packed-token-change-issue-18).</li>
 * </ul>
 */
class PackedTokensCompatibilityTest {

    private static final Path BEFORE = Path.of("src/test/resources/compat/before-packed-tokens");

    private static Schema before(String fullName) throws IOException {
        return SchemaCompatibilityTest.parseAll(BEFORE).get(fullName);
    }

    @Test
    void rolloutTrainingBatchAndPreferencePairAreCompatibleBothWaysByAvrosRules() throws IOException {
        for (Class<?> type : List.of(Rollout.class, TrainingBatchGroup.class, io.rlstream.events.PreferencePair.class)) {
            Schema current = SpecificData.get().getSchema(type);
            Schema old = before(current.getFullName());
            SchemaCompatibilityTest.assertCompatibleBothWays(current, old, type.getSimpleName());
        }
    }

    @Test
    void aNewReaderReadsTheTokensOfARolloutWrittenAsArrays() throws IOException {
        Schema old = before("io.rlstream.events.Rollout");
        GenericRecord written = new GenericData.Record(old);
        written.put("rollout_id", "g/0");
        written.put("group_id", "g");
        written.put("prompt_id", "p");
        written.put("sample_index", 0);
        written.put("group_size", 2);
        written.put("prompt_token_ids", List.of(11, 12));
        written.put("response_token_ids", List.of(13, 14, 15));
        written.put("behaviour_logprobs", List.of(-0.5f, -1.5f, -2.5f));
        written.put("response_text", "42");
        written.put("generator_id", "worker-1");
        written.put("policy_version", 3L);
        written.put("finish_reason", new GenericData.EnumSymbol(old.getField("finish_reason").schema(), "STOP"));
        written.put("status", new GenericData.EnumSymbol(old.getField("status").schema(), "OK"));
        written.put("generated_at", 1_700_000_000_000L);
        byte[] bytes = encode(old, written);

        Rollout read = new SpecificDatumReader<Rollout>(old, Rollout.getClassSchema())
                .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        assertNull(read.getPackedResponseTokenIds());
        assertArrayEquals(new int[] {11, 12}, Tokens.promptIds(read));
        assertArrayEquals(new int[] {13, 14, 15}, Tokens.responseIds(read));
        assertArrayEquals(new float[] {-0.5f, -1.5f, -2.5f}, Tokens.logprobs(read));
    }

    @Test
    void anOldReaderDecodesAPackedRolloutButSeesNoTokensSoReadersUpgradeFirst() throws IOException {
        Rollout packed = Tokens.pack(Rollout.newBuilder(), new int[] {1, 2}, new int[] {3, 4, 5},
                        new float[] {-1f, -2f, -3f})
                .setRolloutId("g/1").setGroupId("g").setPromptId("p").setSampleIndex(1).setGroupSize(2)
                .setResponseText("7").setPolicyVersion(4).setFinishReason(FinishReason.STOP)
                .setStatus(SampleStatus.OK).setGeneratedAt(Instant.EPOCH).build();
        byte[] bytes = encode(Rollout.getClassSchema(), packed);
        GenericRecord oldView = new GenericDatumReader<GenericRecord>(Rollout.getClassSchema(),
                before("io.rlstream.events.Rollout")).read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        assertEquals("g/1", oldView.get("rollout_id").toString());
        assertEquals("7", oldView.get("response_text").toString());
        assertEquals(0, ((List<?>) oldView.get("response_token_ids")).size());
        // and the new reader gets every token back
        Rollout back = new SpecificDatumReader<Rollout>(Rollout.class)
                .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        assertArrayEquals(new int[] {3, 4, 5}, Tokens.responseIds(back));
        assertArrayEquals(new float[] {-1f, -2f, -3f}, Tokens.logprobs(back));
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
