package io.rlstream.producers.prompts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.ChatMessage;
import io.rlstream.events.Prompt;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PipelineFixture;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/** The prompt producer on the real broker and registry: good lines arrive, bad lines are reported. */
class PromptProducerIT {

    @Test
    void malformedLinesAreCountedWithLineNumbersAndTheRestArrive() throws Exception {
        try (PipelineFixture pipeline = PipelineFixture.start(new TopicCatalog("pp.", 1))) {
            String jsonl = """
                    {"prompt_id":"p1","text":"1+2=","answer":"3"}
                    this is not json
                    {"prompt_id":"p2","text":"4+4=","answer":"8"}

                    {"prompt_id":"p3"}
                    {"prompt_id":"p4","text":"9+9=","answer":"18"}
                    """;
            List<String> reported = new ArrayList<>();
            PromptProducer.Summary result = produce(pipeline, jsonl, "t", reported);
            assertEquals(3, result.produced());
            assertEquals(2, result.rows().skippedTotal());
            assertTrue(reported.get(0).startsWith("skipped line 2: not valid JSON"), reported.get(0));
            assertEquals("skipped line 5: missing required field 'text'", reported.get(1));

            List<String> ids = new ArrayList<>();
            for (ConsumerRecord<String, Prompt> r : pipeline.readAll(Topic.PROMPTS, Prompt.class, 3,
                    Duration.ofSeconds(20))) {
                assertEquals(r.key(), r.value().getPromptId());
                ids.add(r.key());
            }
            assertEquals(List.of("p1", "p2", "p4"), ids);
        }
    }

    @Test
    void chatLinesArriveWithTheirMessagesThroughTheRegistry() throws Exception {
        try (PipelineFixture pipeline = PipelineFixture.start(new TopicCatalog("pc.", 1))) {
            String jsonl = """
                    {"prompt_id":"c1","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"2+2?"}],"answer":"4"}
                    {"prompt_id":"c2","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]}
                    {"prompt_id":"t1","text":"1+1=","answer":"2"}
                    """;
            List<String> reported = new ArrayList<>();
            PromptProducer.Summary result = produce(pipeline, jsonl, "chat", reported);
            assertEquals(2, result.produced());
            assertEquals(List.of("skipped line 2: the last message of 'messages' is from the assistant; a prompt ends with the turn "
                    + "the policy answers (user, tool or system)"), reported);
            List<Prompt> prompts = pipeline.readValues(Topic.PROMPTS, Prompt.class, 2, Duration.ofSeconds(20));
            assertEquals(2, prompts.size());
            assertEquals(List.of(new ChatMessage("system", "Be brief."), new ChatMessage("user", "2+2?")),
                    prompts.get(0).getMessages());
            assertEquals("2+2?", prompts.get(0).getText());
            assertEquals(null, prompts.get(1).getMessages());
        }
    }

    /** JSONL in rlstream's layout through the same source and mapping as `rlstream prompts --file F.jsonl`. */
    private static PromptProducer.Summary produce(PipelineFixture pipeline, String jsonl, String dataset,
            List<String> reported) throws Exception {
        try (KafkaProducer<String, Prompt> producer = pipeline.producer(Prompt.class);
                PromptSource source = JsonlPromptSource.of(new StringReader(jsonl))) {
            return new PromptProducer(producer, pipeline.topic(Topic.PROMPTS))
                    .produce(source, new PromptMapper(FieldMapping.RLSTREAM, dataset, source.unit()), reported::add);
        }
    }
}
