package io.rlstream.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceConfigTest {

    @Test
    void environmentOverridesTheFileForDeclaredKeys(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("svc.properties");
        Files.writeString(file, "bootstrap.servers=file:9092\ntopic.prefix=a.\n");
        Map<String, String> values = ServiceConfig.read(file, Map.of("RLSTREAM_TOPIC_PREFIX", "env.",
                "RLSTREAM_UNRELATED", "x"), ServiceConfig.baseDef());
        assertEquals("file:9092", values.get("bootstrap.servers"));
        assertEquals("env.", values.get("topic.prefix"));
        assertEquals(2, values.size());
    }

    @Test
    void envNameUpperCasesAndReplacesSeparators() {
        assertEquals("RLSTREAM_WORKER_MAX_DISPATCHES", ServiceConfig.envName("worker.max-dispatches"));
    }

    @Test
    void kafkaKeysPassThroughWithPrefixStripped() {
        ServiceConfig c = new ServiceConfig(ServiceConfig.baseDef(), Map.of("bootstrap.servers", "h:1",
                "kafka.security.protocol", "SSL"));
        assertEquals(Map.of("bootstrap.servers", "h:1", "security.protocol", "SSL"), c.clientProps());
    }

    @Test
    void invalidValueIsRejectedAtStartWithTheKeyName() {
        var e = assertThrows(ConfigException.class,
                () -> new ServiceConfig(ServiceConfig.baseDef(), Map.of("group.partitions", "0")));
        assertTrue(e.getMessage().contains("group.partitions"), e.getMessage());
    }

    @Test
    void missingConfigFileIsAClearError() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> ServiceConfig.read(Path.of("/no/such.properties"), Map.of(), ServiceConfig.baseDef()));
        assertTrue(e.getMessage().contains("/no/such.properties"));
    }

    @Test
    void markdownTableListsEveryKeyWithDefault() {
        String md = ServiceConfig.markdown(ServiceConfig.baseDef());
        assertTrue(md.contains("| `bootstrap.servers` | string | `127.0.0.1:9092` |"), md);
        // 10 keys (8 + topic.replication.factor, topic.min.insync.replicas) + header and separator lines
        assertTrue(md.contains("| `topic.replication.factor` | int | `-1` |"), md);
        assertEquals(10 + 2, md.split("\n").length);
    }

    @Test
    void serdeClassesReplaceTheApicurioSerdeAndGetTheirPrefixedSettings() {
        ServiceConfig c = new ServiceConfig(ServiceConfig.baseDef(), Map.of(
                "serde.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer",
                "serde.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer",
                "serde.config.schema.registry.url", "http://elsewhere:8081"));
        assertTrue(c.serdes() instanceof io.rlstream.schemas.ConfiguredSerdes);
        assertTrue(new ServiceConfig(ServiceConfig.baseDef(), Map.of()).serdes() instanceof io.rlstream.schemas.RegistrySerdes);
    }

    @Test
    void oneSerdeClassWithoutTheOtherIsRejected() {
        ServiceConfig c = new ServiceConfig(ServiceConfig.baseDef(), Map.of("serde.serializer", "x.Y"));
        var e = assertThrows(ConfigException.class, c::serdes);
        assertTrue(e.getMessage().contains("serde.deserializer"), e.getMessage());
    }

    @Test
    void aSerdeClassNotOnTheClassPathSaysSo() {
        ServiceConfig c = new ServiceConfig(ServiceConfig.baseDef(), Map.of("serde.serializer", "io.confluent.Missing",
                "serde.deserializer", "io.confluent.Missing"));
        var e = assertThrows(IllegalArgumentException.class, () -> c.serdes().serde(io.rlstream.events.Metric.class));
        assertTrue(e.getMessage().contains("not on the class path"), e.getMessage());
    }
}
