package io.rlstream.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.zip.CRC32;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.streams.StreamsConfig;

/**
 * How a service's consumers join their consumer group: as a static member (Kafka's
 * {@code group.instance.id}) with a short session time-out, so that a service killed with SIGKILL
 * and started again gets its partitions back as soon as it rejoins, instead of after the old
 * member's session (Kafka's default 45 s) runs out (issue 19). A static member that comes back
 * under the same id replaces its old self at once, with the same assignment and no rebalance; one
 * that does not come back is dropped after {@link #SESSION_TIMEOUT_MS}.
 *
 * <p>The id must be stable across restarts of the same instance and unique among the instances of
 * a group. The default is derived: the worker's from {@code worker.id} (already unique: it is the
 * transactional id), a Streams app's from the host name and the state folder (two instances on one
 * host need state folders of their own anyway). {@code none} turns static membership off.
 */
public final class GroupMembership {

    public static final String INSTANCE_ID = "membership.instance.id";
    public static final String SESSION_TIMEOUT_MS = "membership.session.timeout.ms";
    /** {@link #INSTANCE_ID} value for dynamic membership (Kafka's default; a restart waits for the session time-out). */
    public static final String DYNAMIC = "none";
    /** Empty {@link #INSTANCE_ID}: derive the id (see the class comment). */
    public static final String DERIVED = "";
    /** The broker's default group.min.session.timeout.ms: it refuses shorter sessions. */
    public static final int MIN_SESSION_TIMEOUT_MS = 6_000;
    public static final int DEFAULT_SESSION_TIMEOUT_MS = 10_000;

    private GroupMembership() {
    }

    /**
     * Adds the two settings to a service's definition.
     *
     * @param derivedFrom what the default id is made of, for the documentation ("worker.id")
     */
    public static ConfigDef define(ConfigDef definition, String derivedFrom) {
        return definition
                .define(INSTANCE_ID, Type.STRING, DERIVED, Importance.MEDIUM,
                        "Static group membership (Kafka's group.instance.id): a restarted instance gets its partitions "
                                + "back as soon as it rejoins instead of after the session time-out. Must be stable "
                                + "across restarts and unique per instance of the group; empty derives it from "
                                + derivedFrom + "; none turns static membership off (docs/operations.md#recovery-after-a-crash-and-rlstream-chaos).")
                .define(SESSION_TIMEOUT_MS, Type.INT, DEFAULT_SESSION_TIMEOUT_MS,
                        ConfigDef.Range.atLeast(MIN_SESSION_TIMEOUT_MS), Importance.LOW,
                        "Consumer group session time-out: how long the group waits for an instance that stopped "
                                + "without leaving and does not come back before giving its partitions to the others.");
    }

    /** True if the definition of {@code config} declares the membership settings. */
    static boolean declared(ServiceConfig config) {
        return config.values().containsKey(INSTANCE_ID);
    }

    /**
     * The instance id to use: the setting, or {@code derived} when it is empty; null for dynamic
     * membership ({@value #DYNAMIC}).
     */
    public static String instanceId(ServiceConfig config, String derived) {
        String value = config.getString(INSTANCE_ID).trim();
        if (value.toLowerCase(Locale.ROOT).equals(DYNAMIC)) {
            return null;
        }
        return value.isEmpty() ? derived : value;
    }

    /** The settings for a plain consumer of the group: {@code group.instance.id} (unless dynamic) and {@code session.timeout.ms}. */
    public static Map<String, Object> consumerSettings(ServiceConfig config, String derived) {
        Map<String, Object> settings = new HashMap<>();
        String id = instanceId(config, derived);
        if (id != null) {
            settings.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id);
        }
        settings.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, config.getInt(SESSION_TIMEOUT_MS));
        return settings;
    }

    /**
     * Adds the membership of a Streams app to its properties (the main consumer's; Kafka Streams
     * appends {@code -<thread index>} to the id per stream thread). Nothing when the config does not
     * declare the settings.
     */
    static void applyToStreams(Properties props, ServiceConfig config, String stateDir) {
        if (!declared(config)) {
            return;
        }
        consumerSettings(config, derivedFromStateDir(stateDir))
                .forEach((key, value) -> props.put(StreamsConfig.mainConsumerPrefix(key), value));
    }

    /**
     * A Streams instance's derived id: {@code rlstream-<host>-<8 hex digits of the absolute state
     * folder's CRC-32>}: the same after a restart, different for another state folder or host.
     */
    public static String derivedFromStateDir(String stateDir) {
        CRC32 crc = new CRC32();
        crc.update(Path.of(stateDir).toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
        return "rlstream-" + hostName() + "-" + String.format(Locale.ROOT, "%08x", crc.getValue());
    }

    static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
