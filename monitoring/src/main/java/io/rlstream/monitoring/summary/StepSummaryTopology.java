package io.rlstream.monitoring.summary;

import io.rlstream.events.DeadLetter;
import io.rlstream.events.Metric;
import io.rlstream.events.StepSummary;
import io.rlstream.schemas.SerdeFactory;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import java.time.Duration;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * rl.metrics → rl.step-summary: every metric rolled up into its training step's summary
 * ({@link StepRollup}), re-emitted at most once per emit interval while the step still changes.
 * rl.step-summary is compacted, so it ends up holding the final summary of every step.
 */
public final class StepSummaryTopology {

    public static final String SERVICE = "step-summary";

    private StepSummaryTopology() {
    }

    public static Topology build(TopicCatalog catalog, SerdeFactory serdes, Duration emitInterval) {
        Serde<StepSummary> summarySerde = serdes.serde(StepSummary.class);
        Topology topology = new Topology();
        topology.addSource("metrics", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
                catalog.name(Topic.METRICS));
        topology.addProcessor("rollup", () -> new StepSummaryProcessor(serdes.serde(Metric.class).deserializer(),
                emitInterval, SERVICE), "metrics");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(
                StepSummaryProcessor.CURSOR_STORE), Serdes.String(), Serdes.Long()), "rollup");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(
                StepSummaryProcessor.SUMMARY_STORE), Serdes.Long(), summarySerde), "rollup");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(
                StepSummaryProcessor.DIRTY_STORE), Serdes.Long(), Serdes.Long()), "rollup");
        topology.addSink(StepSummaryProcessor.SUMMARY_SINK, catalog.name(Topic.STEP_SUMMARY),
                Serdes.String().serializer(), untyped(summarySerde.serializer(), StepSummary.class), "rollup");
        topology.addSink(StepSummaryProcessor.DEAD_LETTER_SINK, catalog.name(Topic.DEAD_LETTERS),
                Serdes.String().serializer(), untyped(serdes.serde(DeadLetter.class).serializer(), DeadLetter.class),
                "rollup");
        return topology;
    }

    /** The processor forwards summaries and dead letters to different sinks under one value type. */
    private static <T> Serializer<Object> untyped(Serializer<T> serializer, Class<T> type) {
        return new Serializer<>() {
            @Override
            public byte[] serialize(String topic, Object data) {
                return serializer.serialize(topic, type.cast(data));
            }

            @Override
            public byte[] serialize(String topic, Headers headers, Object data) {
                return serializer.serialize(topic, headers, type.cast(data));
            }

            @Override
            public void close() {
                serializer.close();
            }
        };
    }
}
