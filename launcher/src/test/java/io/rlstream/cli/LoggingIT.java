package io.rlstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.KafkaFixture;
import io.rlstream.testkit.RegistryFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The logs of a real {@code rlstream rewards} child JVM (Kafka Streams, the Apicurio serde through
 * java.util.logging) on the testkit broker and registry, with the logback.xml the launcher ships
 * (the tests' own logback-test.xml would win on this class path, so the child is pointed at the
 * shipped file): quiet at start, and JSON lines when asked.
 */
class LoggingIT {

    /** A library WARN line in the text layout: "HH:mm:ss.SSS [thread] WARN  logger - message". */
    private static final Pattern LIBRARY_WARN = Pattern.compile(
            "\\] WARN +(org\\.apache\\.kafka\\S*|io\\.apicurio\\S*|RegistryClientFacadeFactory|ai\\.djl\\S*) - ");

    private static KafkaFixture kafka;

    @BeforeAll
    static void up() {
        kafka = KafkaFixture.start();
    }

    @AfterAll
    static void down() {
        kafka.close();
    }

    /** Starts rewards, waits until /ready answers 200 and a few seconds more, stops it; returns its stderr. */
    private static String runRewards(Path dir, String prefix, String config) throws Exception {
        kafka.createTopics(new TopicCatalog(prefix, 1));
        Path shipped = Path.of(Rlstream.class.getResource(config).toURI());
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx512m", "-Dlogback.configurationFile=" + shipped,
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.rlstream.events"));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Rlstream.class.getName(), "rewards",
                "--bootstrap-server", kafka.bootstrapServers(), "--registry-url", RegistryFixture.url(),
                "--set", "topic.prefix=" + prefix, "--set", "group.partitions=1",
                "--set", "reward.state.dir=" + dir.resolve("state"), "--set", "metrics.port=0"));
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            URI ready = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < deadline && p.isAlive()) {
                if (ready == null) {
                    Matcher m = Pattern.compile("prometheus: (http://\\S+)/metrics").matcher(Files.readString(out));
                    ready = m.find() ? URI.create(m.group(1) + "/ready") : null;
                } else if (HttpClient.newHttpClient().send(HttpRequest.newBuilder(ready).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    break;
                }
                Thread.sleep(500);
            }
            assertTrue(p.isAlive(), "rewards exited early: " + Files.readString(err));
            assertTrue(ready != null, "no prometheus line on stdout: " + Files.readString(out));
            Thread.sleep(3000); // the first metrics report and the serdes' first use
        } finally {
            p.destroyForcibly().waitFor(); // every line is written as it is logged; no need to wait for a clean stop
        }
        return Files.readString(err, StandardCharsets.UTF_8);
    }

    @Test
    void aServiceStartsWithoutLibraryWarnings(@TempDir Path dir) throws Exception {
        String err = runRewards(dir, "lgt.", "/logback.xml");
        // The same start under the tests' logback-test.xml (libraries at WARN, nothing quieted) printed
        // 40 such lines on 2026-12-07: the Apicurio client's 2.x notice (java.util.logging, through
        // jul-to-slf4j) for each serde, its DefaultVertxInstance note, and Kafka Streams' StateDirectory,
        // StreamsConfig and OffsetFetcherUtils warnings.
        List<String> warnings = err.lines().filter(l -> LIBRARY_WARN.matcher(l).find()).toList();
        assertEquals(List.of(), warnings, "library WARN lines at start; whole stderr:\n" + err);
        assertFalse(err.contains("|-INFO in ch.qos.logback"), "logback printed its status: the config has a problem\n" + err);
    }

    @Test
    void jsonLinesCarryLevelLoggerAndMessage(@TempDir Path dir) throws Exception {
        // Kafka's client start-up lines at INFO give the encoder something to write: metrics tail
        // starts a consumer at once.
        Path shipped = Path.of(Rlstream.class.getResource("/logback.xml").toURI());
        ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m", "-Dlogback.configurationFile=" + shipped, "-Drlstream.log.root.level=INFO",
                "-cp", System.getProperty("java.class.path"), Rlstream.class.getName(),
                "metrics", "tail", "--bootstrap-server", kafka.bootstrapServers())
                .redirectOutput(dir.resolve("stdout").toFile()).redirectError(dir.resolve("stderr").toFile());
        builder.environment().put(Logging.FORMAT_ENV, "json");
        Process p = builder.start();
        String err = "";
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && p.isAlive() && !err.contains("Kafka version")) {
                Thread.sleep(200);
                err = Files.readString(dir.resolve("stderr"));
            }
        } finally {
            p.destroyForcibly().waitFor();
        }
        err = Files.readString(dir.resolve("stderr"));
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> events = new ArrayList<>();
        for (String line : err.lines().filter(l -> !l.isBlank()).toList()) {
            events.add(json.readTree(line)); // every line is one JSON object, or this throws
        }
        for (JsonNode e : events) {
            assertTrue(e.path("level").isTextual() && e.path("loggerName").isTextual()
                    && e.path("formattedMessage").isTextual() && e.path("timestamp").isNumber(), e.toString());
        }
        assertTrue(events.stream().anyMatch(e -> e.path("level").asText().equals("INFO")
                && e.path("loggerName").asText().startsWith("org.apache.kafka")
                && e.path("formattedMessage").asText().startsWith("Kafka version")), err);
    }
}
