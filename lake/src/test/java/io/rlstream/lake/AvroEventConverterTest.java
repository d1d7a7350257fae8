package io.rlstream.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.FinishReason;
import io.rlstream.events.Metric;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.events.ScoredSample;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.testkit.RegistryFixture;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;

/**
 * The Avro-to-Connect mapping on our real event types, with values checked by hand, and the
 * converter on real registry bytes (the Apicurio serde, Confluent framing) and on bytes that are
 * not.
 */
class AvroEventConverterTest {

    static final Instant T = Instant.parse("2026-01-02T03:04:05.678Z");

    static Rollout rollout(String error) {
        return Rollout.newBuilder().setRolloutId("g7/1").setGroupId("g7").setPromptId("p3").setSampleIndex(1)
                .setGroupSize(4).setPromptTokenIds(List.of(5, 6, 7)).setResponseTokenIds(List.of(9, 2))
                .setBehaviourLogprobs(List.of(-0.25f, -1.5f)).setResponseText("42").setPolicyVersion(12)
                .setFinishReason(FinishReason.LENGTH).setStatus(error == null ? SampleStatus.OK : SampleStatus.FAILED)
                .setError(error).setGeneratorId("w0").setGeneratedAt(T).setTemperature(0.7f).setMaxNewTokens(5).build();
    }

    @Test
    void rolloutMapsFieldByFieldWithEnumsAsStringsAndTheTimestampAsConnectTimestamp() {
        Struct s = new AvroConnectData().struct(rollout(null));
        Schema schema = s.schema();
        assertEquals("io.rlstream.events.Rollout", schema.name());
        assertEquals(17, schema.fields().size(), "every Avro field, no more");
        assertEquals(Schema.Type.STRING, schema.field("rollout_id").schema().type());
        assertFalse(schema.field("rollout_id").schema().isOptional());
        assertEquals(Schema.Type.INT32, schema.field("sample_index").schema().type());
        assertEquals(Schema.Type.INT64, schema.field("policy_version").schema().type());
        assertEquals(Schema.Type.FLOAT32, schema.field("behaviour_logprobs").schema().valueSchema().type());
        assertEquals(Schema.Type.STRING, schema.field("finish_reason").schema().type(), "enum as its symbol");
        assertTrue(schema.field("error").schema().isOptional(), "[null, string] is an optional string");
        assertEquals(Timestamp.LOGICAL_NAME, schema.field("generated_at").schema().name());
        assertTrue(schema.field("temperature").schema().isOptional(), "[null, float] is an optional float");
        assertEquals(Schema.Type.FLOAT32, schema.field("temperature").schema().type());
        assertEquals(Schema.Type.INT32, schema.field("max_new_tokens").schema().type());

        assertEquals("g7/1", s.get("rollout_id"));
        assertEquals(1, s.get("sample_index"));
        assertEquals(12L, s.get("policy_version"));
        assertEquals(0.7f, s.get("temperature"));
        assertEquals(5, s.get("max_new_tokens"));
        assertEquals(List.of(5, 6, 7), s.get("prompt_token_ids"));
        assertEquals(List.of(-0.25f, -1.5f), s.get("behaviour_logprobs"));
        assertEquals("LENGTH", s.get("finish_reason"));
        assertEquals("OK", s.get("status"));
        assertNull(s.get("error"));
        assertEquals(new Date(1767323045678L), s.get("generated_at"), "2026-01-02T03:04:05.678Z in epoch ms");
        s.validate();
        assertEquals("out of memory", new AvroConnectData().struct(rollout("out of memory")).get("error"));

        // Written packed (issue 18): the same columns, the same values; no packed_* columns.
        Rollout packed = io.rlstream.tokens.Tokens.pack(Rollout.newBuilder(rollout(null)), new int[] {5, 6, 7},
                new int[] {9, 2}, new float[] {-0.25f, -1.5f}).setPromptTokenIds(List.of())
                .setResponseTokenIds(List.of()).setBehaviourLogprobs(List.of()).build();
        Struct p = new AvroConnectData().struct(packed);
        assertEquals(17, p.schema().fields().size());
        assertNull(p.schema().field("packed_response_token_ids"));
        assertEquals(List.of(5, 6, 7), p.get("prompt_token_ids"));
        assertEquals(List.of(9, 2), p.get("response_token_ids"));
        assertEquals(List.of(-0.25f, -1.5f), p.get("behaviour_logprobs"));
        p.validate();
    }

    @Test
    void trainingBatchGroupMapsItsMapOfCountersAndItsArrayOfNestedSamples() {
        ScoredSample a = ScoredSample.newBuilder().setRolloutId("g1/0").setPromptTokenIds(List.of(1))
                .setResponseTokenIds(List.of(2, 3)).setBehaviourLogprobs(List.of(-0.5f, -0.75f)).setReward(1.0)
                .setAdvantage(0.866f).setPolicyVersion(3).setTruncated(true).build();
        ScoredSample b = ScoredSample.newBuilder(a).setRolloutId("g1/1").setReward(0.0).setAdvantage(-0.866f)
                .setTruncated(false).build();
        TrainingBatchGroup g = TrainingBatchGroup.newBuilder().setBatchId("b5").setBatchSequence(5).setGroupIndex(0)
                .setBatchGroups(2).setBatchSamples(4).setMinPolicyVersion(2).setMaxPolicyVersion(3)
                .setFilterStats(Map.of("groups_kept", 2L, "groups_dropped_equal_rewards", 1L)).setGroupId("g1")
                .setPromptId("p1").setEstimator("grpo").setSamples(List.of(a, b)).setCreatedAt(T).build();
        Struct s = new AvroConnectData().struct(g);
        Schema stats = s.schema().field("filter_stats").schema();
        assertEquals(Schema.Type.MAP, stats.type());
        assertEquals(Schema.Type.STRING, stats.keySchema().type());
        assertEquals(Schema.Type.INT64, stats.valueSchema().type());
        assertEquals(Map.of("groups_kept", 2L, "groups_dropped_equal_rewards", 1L), s.get("filter_stats"));
        Schema sample = s.schema().field("samples").schema().valueSchema();
        assertEquals("io.rlstream.events.ScoredSample", sample.name());
        assertEquals(Schema.Type.FLOAT32, sample.field("advantage").schema().type());
        assertEquals(Schema.Type.BOOLEAN, sample.field("truncated").schema().type());
        List<?> samples = s.getArray("samples");
        assertEquals(2, samples.size());
        Struct first = (Struct) samples.get(0);
        assertEquals("g1/0", first.get("rollout_id"));
        assertEquals(1.0, first.get("reward"));
        assertEquals(0.866f, first.get("advantage"));
        assertEquals(true, first.get("truncated"));
        assertEquals(-0.866f, ((Struct) samples.get(1)).get("advantage"));
        s.validate();
    }

    @Test
    void aBatchWrittenByReferenceGivesRowsWithPositionsAndNoTokens() {
        // processors batch.tokens=reference: the sample carries its rollout's position, not its tokens
        ScoredSample ref = ScoredSample.newBuilder().setRolloutId("g1/0").setReward(1.0).setAdvantage(0.5f)
                .setPolicyVersion(3).setResponseLength(2)
                .setSource(new io.rlstream.events.RolloutPosition(1, 42L)).build();
        TrainingBatchGroup g = TrainingBatchGroup.newBuilder().setBatchId("b6").setBatchSequence(6).setGroupIndex(0)
                .setBatchGroups(1).setBatchSamples(1).setMinPolicyVersion(3).setMaxPolicyVersion(3)
                .setFilterStats(Map.of()).setGroupId("g1").setPromptId("p1").setEstimator("grpo")
                .setSamples(List.of(ref)).setCreatedAt(T).setTokens(io.rlstream.events.BatchTokens.REFERENCE).build();
        Struct s = new AvroConnectData().struct(g);
        assertEquals("REFERENCE", s.get("tokens"), "enum as its symbol");
        Struct first = (Struct) s.getArray("samples").get(0);
        assertEquals(List.of(), first.get("response_token_ids"), "no tokens in the row");
        assertEquals(2, first.get("response_length"));
        Struct source = first.getStruct("source");
        assertEquals(1, source.get("partition"));
        assertEquals(42L, source.get("offset"), "join to the rollouts table on partition and offset");
        s.validate();
    }

    @Test
    void metricMapsItsTagsAndDoubleValue() {
        Metric m = Metric.newBuilder().setName("trainer.loss").setValue(0.125).setStep(9).setPolicyVersion(9)
                .setSource("trainer").setTags(Map.of("mode", "grpo")).setTime(T).build();
        Struct s = new AvroConnectData().struct(m);
        assertEquals(Schema.Type.FLOAT64, s.schema().field("value").schema().type());
        assertEquals(0.125, s.get("value"));
        assertEquals(9L, s.get("step"));
        assertEquals(Map.of("mode", "grpo"), s.get("tags"));
        assertEquals(new Date(T.toEpochMilli()), s.get("time"));
    }

    @Test
    void registryBytesDecodeToTheSameStructAsTheRecord() {
        Map<String, Object> config = Map.of(AvroEventConverter.REGISTRY_URL, RegistryFixture.url());
        Serializer<Rollout> serializer = RegistryFixture.serdes().serde(Rollout.class).serializer();
        Rollout r = rollout("timeout");
        byte[] bytes = serializer.serialize("rl.rollouts", r);
        assertEquals(0, bytes[0], "Confluent framing: magic byte 0");
        AvroEventConverter converter = new AvroEventConverter();
        converter.configure(config, false);
        SchemaAndValue decoded = converter.toConnectData("rl.rollouts", bytes);
        // Decoded generically (Utf8, enum symbols, epoch-ms longs) yet mapped to the same values.
        assertEquals(new AvroConnectData().struct(r), decoded.value());
        assertEquals(SchemaAndValue.NULL, converter.toConnectData("rl.rollouts", null), "a tombstone stays null");
        converter.close();
    }

    @Test
    void bytesThatAreNotRegistryAvroRaiseADataExceptionThatSaysWhatCame() {
        AvroEventConverter converter = new AvroEventConverter();
        converter.configure(Map.of(AvroEventConverter.REGISTRY_URL, RegistryFixture.url()), false);
        byte[] json = "{\"rollout_id\":\"x\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        DataException e = assertThrows(DataException.class, () -> converter.toConnectData("rl.rollouts", json));
        assertTrue(e.getMessage().contains("value on rl.rollouts (18 bytes, first byte 0x7b) cannot be decoded"), e.getMessage());
        assertTrue(e.getMessage().contains("magic byte 0"), e.getMessage());
        converter.close();
    }

    @Test
    void theConverterIsSinkOnlyAndNeedsARegistryUrl() {
        AvroEventConverter converter = new AvroEventConverter();
        assertThrows(org.apache.kafka.common.config.ConfigException.class, () -> converter.configure(Map.of(), false));
        assertThrows(DataException.class, () -> converter.fromConnectData("t", Schema.STRING_SCHEMA, "x"));
    }
}
