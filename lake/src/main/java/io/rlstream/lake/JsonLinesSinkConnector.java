package io.rlstream.lake;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * Writes each record of its topics as one JSON object per line to {@code <jsonl.dir>/<topic>.jsonl}
 * (Kafka's FileStreamSink writes {@code Struct.toString()}, which is not JSON). Timestamps are
 * epoch milliseconds, bytes base64, as Connect's JsonConverter renders them.
 *
 * <p>At least once: a file is flushed before the worker commits the offsets of the records in it,
 * so committed offsets never run ahead of the file; after a crash, the records after the last
 * commit are written again. The {@code _kafka_partition}/{@code _kafka_offset} fields that
 * {@link LakeConnectors} adds identify such repeats.
 */
public final class JsonLinesSinkConnector extends SinkConnector {

    public static final String DIR = "jsonl.dir";

    static final ConfigDef CONFIG = new ConfigDef()
            .define(DIR, ConfigDef.Type.STRING, ConfigDef.Importance.HIGH,
                    "Folder of the JSONL files, one <topic>.jsonl per topic; created if missing.");

    private Map<String, String> props;

    @Override
    public void start(Map<String, String> props) {
        CONFIG.parse(props);
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return JsonLinesSinkTask.class;
    }

    /** One task: several tasks appending to one file would interleave lines of different partitions unsafely. */
    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return List.of(props);
    }

    @Override
    public void stop() {
    }

    @Override
    public ConfigDef config() {
        return CONFIG;
    }

    @Override
    public String version() {
        return "1";
    }
}
