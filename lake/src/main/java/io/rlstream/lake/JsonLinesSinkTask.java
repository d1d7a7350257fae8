package io.rlstream.lake;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;

/** The task of {@link JsonLinesSinkConnector}: appends, and flushes before offsets are committed. */
public final class JsonLinesSinkTask extends SinkTask {

    /** Lines written per topic by the tasks of this JVM, for progress reports. */
    private static final Map<String, AtomicLong> WRITTEN = new ConcurrentHashMap<>();

    private final Map<String, BufferedWriter> files = new HashMap<>();
    private final JsonConverter json = new JsonConverter();
    private Path dir;

    /** Lines written so far to a topic's file by this JVM (0 if none). */
    public static long written(String topic) {
        AtomicLong n = WRITTEN.get(topic);
        return n == null ? 0 : n.get();
    }

    @Override
    public void start(Map<String, String> props) {
        dir = Path.of(JsonLinesSinkConnector.CONFIG.parse(props).get(JsonLinesSinkConnector.DIR).toString());
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ConnectException("cannot create the JSONL folder " + dir + ": " + e.getMessage(), e);
        }
        json.configure(Map.of("schemas.enable", "false", "converter.type", "value", "decimal.format", "NUMERIC"));
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        for (SinkRecord r : records) {
            byte[] line = json.fromConnectData(r.topic(), r.valueSchema(), r.value());
            try {
                BufferedWriter w = files.computeIfAbsent(r.topic(), this::open);
                w.write(new String(line, StandardCharsets.UTF_8));
                w.write('\n');
            } catch (IOException e) {
                // Retriable would re-deliver the batch and duplicate the lines already written; stop instead.
                throw new ConnectException("cannot write to " + dir.resolve(r.topic() + ".jsonl") + ": " + e.getMessage(), e);
            }
            WRITTEN.computeIfAbsent(r.topic(), t -> new AtomicLong()).incrementAndGet();
        }
    }

    private BufferedWriter open(String topic) {
        try {
            return Files.newBufferedWriter(dir.resolve(topic + ".jsonl"), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Called by the default preCommit before the worker commits these offsets: the lines reach the file first. */
    @Override
    public void flush(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        for (Map.Entry<String, BufferedWriter> f : files.entrySet()) {
            try {
                f.getValue().flush();
            } catch (IOException e) {
                throw new ConnectException("cannot flush " + dir.resolve(f.getKey() + ".jsonl") + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void stop() {
        for (BufferedWriter w : files.values()) {
            try {
                w.close();
            } catch (IOException ignored) {
                // stop() runs after the last flush; nothing written since is committed
            }
        }
        files.clear();
        json.close();
    }

    @Override
    public String version() {
        return "1";
    }
}
