package io.rlstream.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.rlstream.events.ChatMessage;
import io.rlstream.events.Prompt;
import io.rlstream.events.PromptDispatch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/**
 * The chat {@code messages} field of Prompt and PromptDispatch (issue 16) is compatible both ways
 * with the schemas before it (src/test/resources/compat/before-chat-messages: compat/previous as it
 * was then, frozen, so that these tests outlive the next copy of src/main/avro over compat/previous):
 * a new consumer reads records written before the field existed (BACKWARD: messages null), and a
 * consumer still on the old schema reads records that carry messages (FORWARD: Avro's schema
 * resolution skips a writer field the reader does not have). Checked with Avro's own compatibility
 * rules and by decoding bytes.
 */
class ChatMessagesCompatibilityTest {

    private static final Path PREVIOUS = Path.of("src/test/resources/compat/before-chat-messages");

    private static Schema previous(String fullName) throws IOException {
        return SchemaCompatibilityTest.parseAll(PREVIOUS).get(fullName);
    }

    @Test
    void promptAndDispatchAreCompatibleBothWaysWithThePreviousVersion() throws IOException {
        for (Class<?> type : List.of(Prompt.class, PromptDispatch.class)) {
            Schema current = SpecificData.get().getSchema(type);
            Schema old = previous(current.getFullName());
            assertNull(old.getField("messages"), "the previous " + type.getSimpleName() + " predates messages");
            SchemaCompatibilityTest.assertCompatibleBothWays(current, old, type.getSimpleName());
        }
    }

    @Test
    void aNewReaderReadsAnOldPromptAsPlainText() throws IOException {
        Schema old = previous("io.rlstream.events.Prompt");
        GenericRecord written = new GenericData.Record(old);
        written.put("prompt_id", "p-1");
        written.put("text", "37+48=");
        written.put("reference_answer", "85");
        written.put("task", "addition");
        written.put("dataset", "arith");
        written.put("metadata", Map.of());
        written.put("created_at", 1_700_000_000_000L);
        byte[] bytes = encode(old, written);

        Prompt read = new SpecificDatumReader<Prompt>(old, Prompt.getClassSchema())
                .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        assertEquals("p-1", read.getPromptId());
        assertEquals("37+48=", read.getText());
        assertNull(read.getMessages());
    }

    @Test
    void anOldReaderReadsANewPromptAndDispatchWithMessages() throws IOException {
        List<ChatMessage> chat = List.of(new ChatMessage("system", "Be brief."), new ChatMessage("user", "2+2?"));
        Prompt prompt = Prompt.newBuilder().setPromptId("p-2").setText("2+2?").setReferenceAnswer("4")
                .setCreatedAt(Instant.ofEpochMilli(1_700_000_000_000L)).setMessages(chat).build();
        byte[] bytes = encode(Prompt.getClassSchema(), prompt);
        GenericRecord oldView = new GenericDatumReader<GenericRecord>(Prompt.getClassSchema(),
                previous("io.rlstream.events.Prompt")).read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        assertEquals("p-2", oldView.get("prompt_id").toString());
        assertEquals("2+2?", oldView.get("text").toString());
        assertEquals("4", oldView.get("reference_answer").toString());
        assertNull(oldView.getSchema().getField("messages"));

        PromptDispatch dispatch = PromptDispatch.newBuilder().setGroupId("g-1").setPromptId("p-2")
                .setPromptText("2+2?").setGroupSize(8).setDispatchedAt(Instant.ofEpochMilli(1_700_000_000_000L))
                .setMessages(chat).build();
        GenericRecord oldDispatch = new GenericDatumReader<GenericRecord>(PromptDispatch.getClassSchema(),
                previous("io.rlstream.events.PromptDispatch"))
                .read(null, DecoderFactory.get().binaryDecoder(encode(PromptDispatch.getClassSchema(), dispatch), null));
        assertEquals("g-1", oldDispatch.get("group_id").toString());
        assertEquals(8, oldDispatch.get("group_size"));
        // and the new reader gets the messages back intact
        PromptDispatch back = new SpecificDatumReader<PromptDispatch>(PromptDispatch.class)
                .read(null, DecoderFactory.get().binaryDecoder(encode(PromptDispatch.getClassSchema(), dispatch), null));
        assertEquals(chat, back.getMessages());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static byte[] encode(Schema schema, Object record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        if (record instanceof GenericData.Record) {
            new GenericDatumWriter(schema).write(record, enc);
        } else {
            new SpecificDatumWriter(schema).write(record, enc);
        }
        enc.flush();
        return out.toByteArray();
    }
}
