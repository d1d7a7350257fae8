package io.rlstream.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
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
    void kafkaClientKeysInTheEnvironmentAreMappedBackToTheirNames() {
        // RLSTREAM_ + the key upper-cased with '.' as '_': the mapping goes from every known key to its
        // variable name, so RLSTREAM_SASL_JAAS_CONFIG is sasl.jaas.config (a secret's usual home) and
        // RLSTREAM_SSL_KEYSTORE_PASSWORD ssl.keystore.password; RLSTREAM_REGISTRY_HOME (ops' own
        // variable, no setting) stays out.
        String jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";";
        Map<String, String> values = ServiceConfig.read(null, Map.of("RLSTREAM_SASL_JAAS_CONFIG", jaas,
                "RLSTREAM_SSL_KEYSTORE_PASSWORD", "ks", "RLSTREAM_REGISTRY_HOME", "/opt/registry"), ServiceConfig.baseDef());
        assertEquals(Map.of("sasl.jaas.config", jaas, "ssl.keystore.password", "ks"), values);
        ServiceConfig c = new ServiceConfig(ServiceConfig.baseDef(), values);
        assertEquals(jaas, c.clientProps().get("sasl.jaas.config"), "the secret reaches the client settings");
    }

    @Test
    void unprefixedKafkaClientKeysReachTheClientSettings() {
        // As in a Kafka tool's --command-config client.properties: no prefix.
        ServiceConfig c = new ServiceConfig(ServiceConfig.baseDef(), Map.of("bootstrap.servers", "h:1",
                "security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN", "client.id", "me", "topic.prefix", "x."));
        assertEquals(Map.of("bootstrap.servers", "h:1", "security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN",
                "client.id", "me"), c.clientProps(), "rlstream's own topic.prefix is no client setting");
    }

    @Test
    void aKafkaPrefixedKeyWinsOverTheSameKeyUnprefixed() {
        ServiceConfig c = new ServiceConfig(ServiceConfig.baseDef(), Map.of("security.protocol", "SSL",
                "kafka.security.protocol", "SASL_SSL", "kafka.sasl.login.callback.handler.class", "com.example.Handler"));
        assertEquals("SASL_SSL", c.clientProps().get("security.protocol"));
        assertEquals("com.example.Handler", c.clientProps().get("sasl.login.callback.handler.class"));
    }

    @Test
    void noServiceKeyOfTheBaseDefinitionIsAKafkaClientKeyButBootstrapServers() {
        // A declared key that Kafka also knew would be rlstream's and never reach a client; only
        // bootstrap.servers is meant to be both.
        var shared = new java.util.TreeSet<>(ServiceConfig.baseDef().names());
        shared.retainAll(KafkaClientKeys.NAMES);
        assertEquals(java.util.Set.of("bootstrap.servers"), shared);
        assertTrue(KafkaClientKeys.NAMES.containsAll(java.util.List.of("security.protocol", "sasl.jaas.config",
                "sasl.mechanism", "ssl.truststore.location", "client.id", "acks", "group.instance.id",
                "num.stream.threads")), "producer, consumer, admin, Streams, SASL and SSL keys");
    }

    @Test
    void unknownKeyIsRejectedWithTheClosestValidKey() {
        ConfigDef def = ServiceConfig.baseDef().define("group.size", ConfigDef.Type.INT, 8, ConfigDef.Importance.HIGH, "g");
        var e = assertThrows(ConfigException.class, () -> new ServiceConfig(def, Map.of("group.szie", "16")));
        // "szie" -> "size" is one swap of neighbours: distance 1.
        assertTrue(e.getMessage().startsWith("unknown setting 'group.szie' (did you mean group.size?)"), e.getMessage());
        var kafka = assertThrows(ConfigException.class, () -> new ServiceConfig(def, Map.of("security.protocl", "SSL")));
        assertTrue(kafka.getMessage().contains("'security.protocl' (did you mean security.protocol?)"), kafka.getMessage());
        var far = assertThrows(ConfigException.class, () -> new ServiceConfig(def, Map.of("nope", "1")));
        assertTrue(far.getMessage().startsWith("unknown setting 'nope'. "), "no valid key is within 2 edits of nope: "
                + far.getMessage());
        var both = assertThrows(ConfigException.class, () -> new ServiceConfig(def, Map.of("nope", "1", "group.szie", "2")));
        assertTrue(both.getMessage().startsWith("unknown settings 'group.szie' (did you mean group.size?), 'nope'. "),
                both.getMessage());
        assertTrue(both.getMessage().endsWith(" and keys kafka.*, apicurio.registry.*, serde.config.*, config.providers.*."),
                both.getMessage());
    }

    @Test
    void prefixedAndProviderKeysAreAccepted() {
        new ServiceConfig(ServiceConfig.baseDef(), Map.of("kafka.anything.at.all", "1",
                "apicurio.registry.auth.username", "u", "serde.config.basic.auth.user.info", "u:p",
                "config.providers", "env", "config.providers.env.class",
                org.apache.kafka.common.config.provider.EnvVarConfigProvider.class.getName()));
        var e = assertThrows(ConfigException.class, () -> new ServiceConfig(ServiceConfig.baseDef(), Map.of("kafka.", "1")));
        assertTrue(e.getMessage().contains("'kafka.'"), "a bare prefix names no key: " + e.getMessage());
    }

    @Test
    void editDistanceCountsInsertionsDeletionsSubstitutionsAndSwaps() {
        // By hand: kitten -> sitting is 3 (k->s, e->i, +g), the textbook Levenshtein example; ab -> ba one swap.
        assertEquals(3, KnownSettings.distance("kitten", "sitting"));
        assertEquals(1, KnownSettings.distance("ab", "ba"));
        assertEquals(0, KnownSettings.distance("acks", "acks"));
        assertEquals(4, KnownSettings.distance("", "acks"));
    }

    @Test
    void environmentAndFileVariablesAreResolvedInAnyValue(@TempDir Path dir) throws Exception {
        Path secrets = dir.resolve("secrets.properties");
        Files.writeString(secrets, "jaas=secret-jaas\nprefix=from-file.\n");
        // PATH is set in every test JVM; the expected value comes from System.getenv, an independent read.
        String path = System.getenv("PATH");
        ServiceConfig c = new ServiceConfig(ServiceConfig.baseDef(), Map.of(
                "sasl.jaas.config", "${file:" + secrets + ":jaas}",
                "topic.prefix", "${file:" + secrets + ":prefix}",
                "kafka.ssl.key.password", "${env:PATH}",
                "apicurio.registry.auth.password", "x${env:PATH}y"));
        assertEquals("from-file.", c.getString(ServiceConfig.TOPIC_PREFIX), "rlstream's own settings resolve too");
        assertEquals("secret-jaas", c.clientProps().get("sasl.jaas.config"));
        assertEquals(path, c.clientProps().get("ssl.key.password"));
        assertEquals("x" + path + "y", c.originals().get("apicurio.registry.auth.password"));
    }

    @Test
    void anUnresolvedVariableNamesTheSettingNotItsValue(@TempDir Path dir) throws Exception {
        Path secrets = dir.resolve("secrets.properties");
        Files.writeString(secrets, "jaas=secret-jaas\n");
        var env = assertThrows(ConfigException.class, () -> new ServiceConfig(ServiceConfig.baseDef(),
                Map.of("sasl.jaas.config", "${env:RLSTREAM_TEST_SURELY_UNSET_VARIABLE}")));
        assertEquals("setting sasl.jaas.config: ${env:RLSTREAM_TEST_SURELY_UNSET_VARIABLE} cannot be resolved: "
                + "the environment variable RLSTREAM_TEST_SURELY_UNSET_VARIABLE is not set", env.getMessage());
        var key = assertThrows(ConfigException.class, () -> new ServiceConfig(ServiceConfig.baseDef(),
                Map.of("sasl.jaas.config", "${file:" + secrets + ":nokey}")));
        assertTrue(key.getMessage().endsWith("the file " + secrets + " has no key nokey"), key.getMessage());
        var file = assertThrows(ConfigException.class, () -> new ServiceConfig(ServiceConfig.baseDef(),
                Map.of("sasl.jaas.config", "${file:" + dir.resolve("missing.properties") + ":jaas}")));
        assertTrue(file.getMessage().contains("missing.properties"), file.getMessage());
    }

    @Test
    void configProvidersReplaceTheDefaultsAndAnEmptyListTurnsThemOff() {
        // Only env named: ${file:...} is then no variable of a provider in use and stays as written.
        ServiceConfig envOnly = new ServiceConfig(ServiceConfig.baseDef(), Map.of("config.providers", "env",
                "config.providers.env.class", org.apache.kafka.common.config.provider.EnvVarConfigProvider.class.getName(),
                "client.id", "${env:PATH}", "topic.prefix", "${file:/x:y}"));
        assertEquals(System.getenv("PATH"), envOnly.clientProps().get("client.id"));
        assertEquals("${file:/x:y}", envOnly.getString(ServiceConfig.TOPIC_PREFIX));
        assertTrue(envOnly.clientProps().keySet().stream().noneMatch(k -> k.startsWith("config.providers")),
                "provider settings are rlstream's, already applied: " + envOnly.clientProps());
        ServiceConfig off = new ServiceConfig(ServiceConfig.baseDef(), Map.of("config.providers", "",
                "client.id", "${env:PATH}"));
        assertEquals("${env:PATH}", off.clientProps().get("client.id"));
    }

    @Test
    void kafkasAutomaticConfigProvidersPropertyLimitsTheDefaults() {
        String property = org.apache.kafka.common.config.AbstractConfig.AUTOMATIC_CONFIG_PROVIDERS_PROPERTY;
        String before = System.getProperty(property);
        System.setProperty(property, org.apache.kafka.common.config.provider.FileConfigProvider.class.getName());
        try {
            var e = assertThrows(ConfigException.class, () -> new ServiceConfig(ServiceConfig.baseDef(),
                    Map.of("client.id", "${env:PATH}")));
            assertTrue(e.getMessage().contains("the 'env' provider is off"), e.getMessage());
            var named = assertThrows(ConfigException.class, () -> new ServiceConfig(ServiceConfig.baseDef(),
                    Map.of("config.providers", "env", "config.providers.env.class",
                            org.apache.kafka.common.config.provider.EnvVarConfigProvider.class.getName())));
            assertTrue(named.getMessage().contains("is not allowed"), named.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, before);
            }
        }
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
