package io.rlstream.producers.prompts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.Prompt;
import io.rlstream.schemas.RegistrySerdes;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.KafkaFixture;
import io.rlstream.testkit.RegistryFixture;
import java.io.BufferedReader;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The prompt producer on the real broker and registry: good lines arrive, bad lines are reported. */
class PromptProducerIT {

    @Test
    void malformedLinesAreCountedWithLineNumbersAndTheRestArrive() throws Exception {
        TopicCatalog catalog = new TopicCatalog("pp.", 1);
        RegistrySerdes serdes = RegistryFixture.serdes();
        try (KafkaFixture kafka = KafkaFixture.start()) {
            kafka.createTopics(catalog);
            String jsonl = """
                    {"prompt_id":"p1","text":"1+2=","answer":"3"}
                    this is not json
                    {"prompt_id":"p2","text":"4+4=","answer":"8"}

                    {"prompt_id":"p3"}
                    {"prompt_id":"p4","text":"9+9=","answer":"18"}
                    """;
            List<String> reported = new ArrayList<>();
            PromptProducer.Result result;
            try (KafkaProducer<String, Prompt> producer = new KafkaProducer<>(kafka.clientConfig(),
                    new StringSerializer(), serdes.serde(Prompt.class).serializer())) {
                result = new PromptProducer(producer, catalog.name(Topic.PROMPTS))
                        .produce(new BufferedReader(new StringReader(jsonl)), "t", reported::add);
            }
            assertEquals(3, result.sent());
            assertEquals(2, result.malformed());
            assertTrue(reported.get(0).startsWith("skipped line 2: not valid JSON"), reported.get(0));
            assertEquals("skipped line 5: missing required field 'text'", reported.get(1));

            Map<String, Object> props = new HashMap<>(kafka.clientConfig());
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            try (KafkaConsumer<String, Prompt> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                    serdes.serde(Prompt.class).deserializer())) {
                TopicPartition tp = new TopicPartition(catalog.name(Topic.PROMPTS), 0);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                List<String> ids = new ArrayList<>();
                long deadline = System.currentTimeMillis() + 20_000;
                while (ids.size() < 3 && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<String, Prompt> r : consumer.poll(Duration.ofMillis(200))) {
                        assertEquals(r.key(), r.value().getPromptId());
                        ids.add(r.key());
                    }
                }
                assertEquals(List.of("p1", "p2", "p4"), ids);
            }
        }
    }
}
