package io.rlstream.monitoring.summary;

import io.rlstream.deadletter.DeadLetters;
import io.rlstream.events.DeadLetter;
import io.rlstream.events.Metric;
import io.rlstream.events.StepSummary;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Adds each metric from rl.metrics to its step's summary ({@link StepRollup}) and, every emit
 * interval of wall-clock time, forwards the summaries that changed: one record per changed step,
 * not one per metric (a step collects about 50 metrics). Everything it knows lives in three
 * stores, written in the same exactly-once transaction as the input offsets, so a restart neither
 * loses a change nor re-counts a metric. An undecodable record becomes a dead letter.
 */
final class StepSummaryProcessor implements Processor<String, byte[], String, Object> {

    /** The newest step seen, under one key. */
    static final String CURSOR_STORE = "step-cursor";
    static final String SUMMARY_STORE = "step-summaries";
    /** Steps changed since the last emit. */
    static final String DIRTY_STORE = "step-summaries-changed";
    static final String SUMMARY_SINK = "step-summary";
    static final String DEAD_LETTER_SINK = "step-summary-dead-letters";
    private static final String NEWEST = "newest";

    private final Deserializer<Metric> metrics;
    private final Duration emitInterval;
    private final String service;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, Long> cursor;
    private KeyValueStore<Long, StepSummary> summaries;
    private KeyValueStore<Long, Long> dirty;

    StepSummaryProcessor(Deserializer<Metric> metrics, Duration emitInterval, String service) {
        this.metrics = metrics;
        this.emitInterval = emitInterval;
        this.service = service;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.cursor = context.getStateStore(CURSOR_STORE);
        this.summaries = context.getStateStore(SUMMARY_STORE);
        this.dirty = context.getStateStore(DIRTY_STORE);
        context.schedule(emitInterval, PunctuationType.WALL_CLOCK_TIME, now -> emitChanged());
    }

    @Override
    public void process(Record<String, byte[]> record) {
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        Metric metric;
        try {
            if (record.value() == null) {
                throw new IllegalArgumentException("record has no value (tombstone) where a Metric was expected");
            }
            metric = metrics.deserialize(meta.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
            DeadLetter letter = DeadLetters.of(service, meta.topic(), meta.partition(), meta.offset(), key,
                    record.value(), "undecodable Metric record: " + e.getMessage(), e);
            context.forward(record.withValue((Object) letter), DEAD_LETTER_SINK);
            return;
        }
        Long newest = cursor.get(NEWEST);
        long step = StepRollup.stepOf(metric, newest == null ? -1 : newest);
        if (metric.getStep() >= 0 && (newest == null || metric.getStep() > newest)) {
            cursor.put(NEWEST, metric.getStep());
        }
        summaries.put(step, StepRollup.add(summaries.get(step), step, metric));
        dirty.put(step, step);
    }

    private void emitChanged() {
        try (KeyValueIterator<Long, Long> changed = dirty.all()) {
            java.util.List<Long> steps = new java.util.ArrayList<>();
            changed.forEachRemaining(kv -> steps.add(kv.key));
            for (long step : steps) {
                StepSummary summary = summaries.get(step);
                if (summary != null) {
                    context.forward(new Record<>(Long.toString(step), (Object) summary, summary.getLastTime().toEpochMilli()),
                            SUMMARY_SINK);
                }
                dirty.delete(step);
            }
        }
    }

    @Override
    public void close() {
    }
}
