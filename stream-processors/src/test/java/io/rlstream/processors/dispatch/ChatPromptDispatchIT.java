package io.rlstream.processors.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.rlstream.events.ChatMessage;
import io.rlstream.events.Prompt;
import io.rlstream.events.PromptDispatch;
import io.rlstream.processors.ProcessorsFixture;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PipelineFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chat prompts on a real broker and registry: a Prompt with messages put on rl.prompts reaches
 * rl.prompt-dispatch with its messages intact, and a Prompt written before the field existed (with
 * the schema before it, schemas/src/test/resources/compat/before-chat-messages/Prompt.avsc,
 * registered as an older version of the same subject) still dispatches, as a plain text prompt.
 */
class ChatPromptDispatchIT {

    private static final Path PREVIOUS_PROMPT =
            Path.of("../schemas/src/test/resources/compat/before-chat-messages/Prompt.avsc");

    @RegisterExtension
    final PipelineFixture pipeline = PipelineFixture.extension(TopicCatalog.defaults());
    @TempDir
    Path stateDir;

    @Test
    void messagesArriveIntactAndAnOldSchemaPromptStillDispatches() throws Exception {
        // an old producer: the previous Prompt schema, through the registry serde the services use
        Schema old = new Schema.Parser().parse(PREVIOUS_PROMPT.toFile());
        assertNull(old.getField("messages"), "the previous schema predates messages");
        GenericRecord oldPrompt = new GenericData.Record(old);
        oldPrompt.put("prompt_id", "old");
        oldPrompt.put("text", "12+30=");
        oldPrompt.put("reference_answer", "42");
        oldPrompt.put("task", "addition");
        oldPrompt.put("dataset", "before");
        oldPrompt.put("metadata", Map.of());
        oldPrompt.put("created_at", Instant.now().toEpochMilli());
        String prompts = pipeline.topic(Topic.PROMPTS);
        try (AvroKafkaSerializer<GenericRecord> serializer = new AvroKafkaSerializer<>()) {
            serializer.configure(pipeline.serdes().config(), false);
            pipeline.sendBytes(Topic.PROMPTS, "old", serializer.serialize(prompts, oldPrompt));
        }
        // a new producer: the current schema, with a chat
        List<ChatMessage> chat = List.of(new ChatMessage("system", "Answer with a number."),
                new ChatMessage("user", "What is 2+2?"), new ChatMessage("assistant", "4"),
                new ChatMessage("user", "And 3+3? (ünïcödé, 你好)"));
        pipeline.send(Topic.PROMPTS, "chat", Prompt.newBuilder().setPromptId("chat").setText("And 3+3?")
                .setReferenceAnswer("6").setCreatedAt(Instant.now()).setMessages(chat).build());

        // uniform selection with 32 slots for 2 prompts: both are chosen (a miss has probability 2^-31)
        try (DispatcherService dispatcher = DispatcherService.start(ProcessorsFixture.config(pipeline, stateDir, Map.of(
                "group.size", "2", "dispatch.max-in-flight-groups", "32", "dispatch.query.port", "-1")), null)) {
            PromptDispatch chatGroup = pipeline.await(Topic.PROMPT_DISPATCH, PromptDispatch.class,
                    d -> d.getPromptId().equals("chat"), Duration.ofSeconds(30));
            assertEquals(chat, chatGroup.getMessages());
            assertEquals("And 3+3?", chatGroup.getPromptText());
            assertEquals(2, chatGroup.getGroupSize());

            PromptDispatch oldGroup = pipeline.await(Topic.PROMPT_DISPATCH, PromptDispatch.class,
                    d -> d.getPromptId().equals("old"), Duration.ofSeconds(30));
            assertEquals("12+30=", oldGroup.getPromptText());
            assertNull(oldGroup.getMessages());
        }
    }
}
