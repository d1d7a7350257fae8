package io.rlstream.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * The logging of an {@code rlstream} process, set up in {@code main} before the first logger
 * exists: logback with the launcher's {@code logback.xml} (io.rlstream at INFO, libraries at WARN,
 * the known harmless start-up warnings at ERROR), java.util.logging (the Apicurio client) routed
 * into it, text lines on stderr or JSON lines for log shippers. docs/operations.md#logs.
 */
final class Logging {

    /** {@code text} (the default) or {@code json}: one JSON object per line (logback's JsonEncoder). */
    static final String FORMAT_ENV = "RLSTREAM_LOG_FORMAT";
    /** The system property logback.xml reads the format from ({@value #FORMAT_ENV} sets it). */
    static final String FORMAT_PROPERTY = "rlstream.log.format";
    /** A logback.xml of the user's instead of the launcher's (same as -Dlogback.configurationFile). */
    static final String CONFIG_ENV = "RLSTREAM_LOG_CONFIG";
    static final String LOGBACK_CONFIG_PROPERTY = "logback.configurationFile";
    /** io.rlstream's level in logback.xml. */
    static final String LEVEL_PROPERTY = "rlstream.log.level";
    /**
     * In the demo and the benchmarks only, which start their own broker: the metadata warnings while
     * a repartition topic is being created. Services keep them: there they can mean a broker that
     * cannot be reached.
     */
    static final List<String> QUIET_IN_DEMO = List.of("org.apache.kafka.clients.NetworkClient");

    private Logging() {
    }

    /** {@link #configure}, or the error and exit status 2 (a usage error) when a setting is wrong. */
    static void start(String command) {
        String error = configure(command, System.getenv());
        if (error != null) {
            System.err.println("rlstream: " + error);
            System.exit(2);
        }
    }

    /**
     * Sets the properties logback.xml reads, then starts logback and routes java.util.logging into
     * it; returns null, or what is wrong with {@value #FORMAT_ENV} or {@value #CONFIG_ENV}.
     */
    static String configure(String command, Map<String, String> env) {
        String format = System.getProperty(FORMAT_PROPERTY, env.getOrDefault(FORMAT_ENV, "text"))
                .trim().toLowerCase(Locale.ROOT);
        if (!format.equals("text") && !format.equals("json")) {
            return FORMAT_ENV + " must be text or json, got '" + format + "'";
        }
        System.setProperty(FORMAT_PROPERTY, format);
        String config = env.get(CONFIG_ENV);
        if (config != null && !config.isBlank() && System.getProperty(LOGBACK_CONFIG_PROPERTY) == null) {
            if (!Files.isRegularFile(Path.of(config))) {
                return CONFIG_ENV + "=" + config + " is not a file; set it to a logback.xml (a copy of"
                        + " launcher/src/main/resources/logback.xml to start from) or unset it";
            }
            System.setProperty(LOGBACK_CONFIG_PROPERTY, config);
        }
        if ("serve".equals(command) || "chaos".equals(command)) {
            // A server's output is its address line, chaos's its kills and report; INFO lines would bury them.
            System.getProperties().putIfAbsent(LEVEL_PROPERTY, "WARN");
        }
        // From here on logback may start (it reads logback.xml at the first logger).
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        if (("demo".equals(command) || "bench".equals(command)) && LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            for (String name : QUIET_IN_DEMO) {
                ch.qos.logback.classic.Logger logger = context.getLogger(name);
                if (logger.getLevel() == null) { // a level from the user's config wins
                    logger.setLevel(Level.ERROR);
                }
            }
        }
        return null;
    }
}
