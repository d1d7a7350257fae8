package io.rlstream.processors.curriculum.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.Prompt;
import io.rlstream.events.PromptSelection;
import io.rlstream.schemas.SerdeFactory;
import io.rlstream.testkit.RegistryFixture;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PlainAvroSerdes;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's topology without a broker: the global table keeps each prompt's latest view. */
class SelectionStoreTopologyTest {

    @TempDir
    Path stateDir;

    @Test
    void theStoreKeepsTheLatestViewOfEachPromptAndATombstoneRemovesIt() {
        PlainAvroSerdes serdes = new PlainAvroSerdes();
        TopicCatalog catalog = TopicCatalog.defaults();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "selection-store-test");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        try (TopologyTestDriver driver = new TopologyTestDriver(
                SelectionStore.topology(new StreamsBuilder(), catalog, serdes), props)) {
            TestInputTopic<String, PromptSelection> topic = driver.createInputTopic(catalog.name(Topic.PROMPT_SELECTION),
                    new StringSerializer(), serdes.serde(PromptSelection.class).serializer());
            topic.pipeInput("p1", view("p1", 1));
            topic.pipeInput("p2", view("p2", 4));
            topic.pipeInput("p1", view("p1", 2));
            // a global table materialises a timestamped store; the interactive query unwraps the value
            KeyValueStore<String, ValueAndTimestamp<PromptSelection>> store =
                    driver.getTimestampedKeyValueStore(SelectionStore.STORE);
            assertEquals(2, store.get("p1").value().getSelected(), "the newer view of p1 replaced the older");
            assertEquals(4, store.get("p2").value().getSelected());

            topic.pipeInput("p2", (PromptSelection) null);
            assertNull(store.get("p2"), "a tombstone on the compacted topic removes the prompt");
        }
    }

    /**
     * Issue 19: a record on rl.prompt-selection that is not a view (undecodable, or another type with
     * valid registry framing, which the registry deserializer returns as its own class) is skipped by
     * the store's LogAndContinue handler; the prompt keeps its last view, queries never see another
     * type. Real registry serdes.
     */
    @Test
    void aRecordOfAnotherTypeIsSkippedAndThePromptKeepsItsView() {
        SerdeFactory serdes = RegistryFixture.serdes();
        TopicCatalog catalog = TopicCatalog.defaults();
        String name = catalog.name(Topic.PROMPT_SELECTION);
        Properties props = SelectionStore.streamsProperties(Map.of(), "selection-store-bad-input-test", stateDir);
        try (TopologyTestDriver driver = new TopologyTestDriver(
                SelectionStore.topology(new StreamsBuilder(), catalog, serdes), props)) {
            TestInputTopic<String, byte[]> topic = driver.createInputTopic(name, new StringSerializer(),
                    new ByteArraySerializer());
            topic.pipeInput("p1", serdes.serde(PromptSelection.class).serializer().serialize(name, view("p1", 1)));
            topic.pipeInput("p1", serdes.serde(Prompt.class).serializer().serialize(name, Prompt.newBuilder()
                    .setPromptId("p1").setText("?").setCreatedAt(Instant.EPOCH).build()));
            topic.pipeInput("p1", "not avro at all".getBytes(StandardCharsets.UTF_8));
            topic.pipeInput("p2", serdes.serde(PromptSelection.class).serializer().serialize(name, view("p2", 4)));
            KeyValueStore<String, ValueAndTimestamp<PromptSelection>> store =
                    driver.getTimestampedKeyValueStore(SelectionStore.STORE);
            Object p1 = store.get("p1").value();
            assertTrue(p1 instanceof PromptSelection, "p1 holds a " + p1.getClass());
            assertEquals(1, ((PromptSelection) p1).getSelected(), "p1 kept its view");
            assertEquals(4, store.get("p2").value().getSelected(), "a good record after them still counts");
        }
    }

    private static PromptSelection view(String id, long selected) {
        return PromptSelection.newBuilder().setPromptId(id).setSelector("uniform").setSelected(selected)
                .setUpdatedAt(Instant.ofEpochMilli(selected)).build();
    }
}
