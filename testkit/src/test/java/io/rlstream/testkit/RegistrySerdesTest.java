package io.rlstream.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlstream.events.FinishReason;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/**
 * RegistrySerdes against the real Apicurio 2.6 registry: round trip, Confluent wire format, and the
 * schema id resolving through the Confluent-compatible API.
 */
class RegistrySerdesTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    static Rollout rollout() {
        return Rollout.newBuilder()
                .setRolloutId("g-1/0").setGroupId("g-1").setPromptId("p-1")
                .setSampleIndex(0).setGroupSize(4)
                .setPromptTokenIds(List.of(1, 2, 3)).setResponseTokenIds(List.of(7, 8, 9))
                .setBehaviourLogprobs(List.of(-0.5f, -1.25f, -0.125f))
                .setResponseText("42").setPolicyVersion(3L)
                .setFinishReason(FinishReason.STOP).setStatus(SampleStatus.OK)
                .setGeneratorId("test").setGeneratedAt(Instant.ofEpochMilli(1_700_000_000_000L))
                .build();
    }

    /** The project defaults (RegistrySerdes.defaults). */
    @Test
    void rolloutRoundTripsInConfluentWireFormat() throws Exception {
        String topic = "wire.rollouts";
        Rollout rollout = rollout();
        byte[] bytes = RegistryFixture.serdes().serde(Rollout.class).serializer().serialize(topic, rollout);
        int id = confluentSchemaId(bytes);

        // A separate serde instance (no shared cache) reads it back through the registry.
        Rollout back = RegistryFixture.serdes().serde(Rollout.class).deserializer().deserialize(topic, bytes);
        assertEquals(rollout, back);

        // The id resolves through the Confluent-compatible API to the Rollout schema. Nested named
        // types may be registered as schema references (Apicurio serde 3.x does that unless
        // apicurio.registry.dereference-schema=true): resolve them as a Confluent client would.
        JsonNode byId = getJson(RegistryFixture.ccompatUrl() + "/schemas/ids/" + id);
        Schema.Parser parser = new Schema.Parser();
        for (JsonNode ref : byId.path("references")) {
            JsonNode version = getJson(RegistryFixture.ccompatUrl() + "/subjects/"
                    + URLEncoder.encode(ref.get("subject").asText(), StandardCharsets.UTF_8)
                    + "/versions/" + ref.get("version").asText());
            parser.parse(version.get("schema").asText());
        }
        Schema schema = parser.parse(byId.get("schema").asText());
        assertEquals("io.rlstream.events.Rollout", schema.getFullName());
        assertEquals(Rollout.getClassSchema(), schema);

        // Registered under the topic's value subject, like a Confluent serializer would.
        assertTrue(subjects().contains(topic + "-value"), subjects().toString());
    }

    /**
     * After the first record of a topic, RegistrySerdes frames records from its own cache of the
     * schema id (issue 18: Apicurio renders the schema as JSON per record): the bytes must be
     * exactly what Apicurio's serializer writes, for every later record and for another topic.
     */
    @Test
    void laterRecordsAreTheBytesApicuriosSerializerWrites() {
        var ours = RegistryFixture.serdes().serde(Rollout.class).serializer();
        var apicurio = new io.apicurio.registry.serde.avro.AvroKafkaSerializer<Rollout>();
        apicurio.configure(RegistryFixture.serdes().config(), false);
        Rollout first = rollout();
        Rollout packed = io.rlstream.tokens.Tokens.pack(Rollout.newBuilder(rollout()), new int[] {5, 6},
                new int[] {151643, 9}, new float[] {-0.25f, -3f}).setRolloutId("g-1/1").setSampleIndex(1).build();
        for (String topic : List.of("cache.rollouts", "cache.other-rollouts")) {
            byte[] head = ours.serialize(topic, first);
            byte[] later = ours.serialize(topic, packed);
            org.junit.jupiter.api.Assertions.assertArrayEquals(apicurio.serialize(topic, packed), later, topic);
            assertEquals(confluentSchemaId(head), confluentSchemaId(later));
            assertEquals(packed, RegistryFixture.serdes().serde(Rollout.class).deserializer().deserialize(topic, later));
        }
        apicurio.close();
    }

    /** With dereferencing on, the registered schema is self-contained, as Confluent's own serializer writes it. */
    @Test
    void dereferencedSchemasAreSelfContained() throws Exception {
        String topic = "deref.rollouts";
        Map<String, String> deref = Map.of("apicurio.registry.dereference-schema", "true");
        Serde<Rollout> serde = RegistryFixture.serdes(deref).serde(Rollout.class);
        Rollout rollout = rollout();
        byte[] bytes = serde.serializer().serialize(topic, rollout);
        int id = confluentSchemaId(bytes);
        assertEquals(rollout, RegistryFixture.serdes().serde(Rollout.class).deserializer().deserialize(topic, bytes));
        assertEquals(rollout, RegistryFixture.serdes(deref).serde(Rollout.class).deserializer().deserialize(topic, bytes));

        JsonNode byId = getJson(RegistryFixture.ccompatUrl() + "/schemas/ids/" + id);
        assertTrue(byId.path("references").isEmpty(), byId.toString());
        Schema schema = new Schema.Parser().parse(byId.get("schema").asText());
        assertEquals("io.rlstream.events.Rollout", schema.getFullName());
        assertEquals(Rollout.getClassSchema(), schema);
        assertTrue(subjects().contains(topic + "-value"), subjects().toString());
    }

    /** Confluent wire format: magic byte 0, a 4-byte big-endian schema id, then Avro binary. */
    private static int confluentSchemaId(byte[] bytes) {
        assertTrue(bytes.length > 5, "record of " + bytes.length + " bytes");
        assertEquals(0, bytes[0], "magic byte");
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        assertTrue(id > 0, "schema id " + id);
        return id;
    }

    private static List<String> subjects() throws Exception {
        List<String> names = new java.util.ArrayList<>();
        getJson(RegistryFixture.ccompatUrl() + "/subjects").forEach(n -> names.add(n.asText()));
        return names;
    }

    private static JsonNode getJson(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), url + " -> " + response.body());
        return JSON.readTree(response.body());
    }
}
