package io.rlstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link Logging#configure} reads from the environment before logback starts, and its usage errors. */
class LoggingTest {

    private Properties saved;

    @BeforeEach
    void save() {
        saved = (Properties) System.getProperties().clone();
        System.clearProperty(Logging.FORMAT_PROPERTY);
        System.clearProperty(Logging.LOGBACK_CONFIG_PROPERTY);
        System.clearProperty(Logging.LEVEL_PROPERTY);
    }

    @AfterEach
    void restore() {
        System.setProperties(saved);
    }

    @Test
    void aFormatOtherThanTextOrJsonIsAUsageError() {
        String error = Logging.configure("rewards", Map.of(Logging.FORMAT_ENV, "xml"));
        assertEquals("RLSTREAM_LOG_FORMAT must be text or json, got 'xml'", error);
    }

    @Test
    void theFormatFromTheEnvironmentIsWhatLogbackXmlReads() {
        assertNull(Logging.configure("rewards", Map.of(Logging.FORMAT_ENV, "JSON")));
        assertEquals("json", System.getProperty(Logging.FORMAT_PROPERTY));
        assertNull(System.getProperty(Logging.LEVEL_PROPERTY), "services keep io.rlstream at INFO");
    }

    @Test
    void aUserConfigMustExistAndThenReplacesTheShippedOne(@TempDir Path dir) throws Exception {
        String error = Logging.configure("rewards", Map.of(Logging.CONFIG_ENV, dir.resolve("nope.xml").toString()));
        assertTrue(error != null && error.startsWith("RLSTREAM_LOG_CONFIG=") && error.contains("is not a file"), error);
        Path mine = Files.writeString(dir.resolve("mine.xml"), "<configuration/>");
        assertNull(Logging.configure("rewards", Map.of(Logging.CONFIG_ENV, mine.toString())));
        assertEquals(mine.toString(), System.getProperty(Logging.LOGBACK_CONFIG_PROPERTY));
    }

    @Test
    void serveAndChaosLogRlstreamAtWarnUnlessTheUserSetALevel() {
        assertNull(Logging.configure("serve", Map.of()));
        assertEquals("WARN", System.getProperty(Logging.LEVEL_PROPERTY));
        System.setProperty(Logging.LEVEL_PROPERTY, "DEBUG");
        assertNull(Logging.configure("chaos", Map.of()));
        assertEquals("DEBUG", System.getProperty(Logging.LEVEL_PROPERTY));
    }
}
