package io.rlstream.reward.stream;

import io.rlstream.deadletter.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Decodes raw values inside the topology instead of in the consumer, so that a record that cannot
 * be decoded, or decodes to something invalid, becomes a dead letter with its source position
 * and the stream keeps going (docs/architecture.md#rules-every-service-keeps, rule 3).
 *
 * @param <T> the event type
 */
public final class DecodeProcessor<T> implements Processor<String, byte[], String, Decoded<T>> {

    // A wildcard: what the deserializer returns is checked against type, not cast (issue 19).
    private final Deserializer<?> deserializer;
    private final Class<T> type;
    private final Function<T, String> validator;
    private final String service;
    private final Runnable onDeadLetter;
    private ProcessorContext<String, Decoded<T>> context;

    /**
     * @param type      the event type: a registry deserializer returns the class of the writer's
     *                  schema, so another event's bytes (valid framing, another schema) decode to
     *                  another type, which is a dead letter
     * @param validator returns null for a valid value, else what is wrong with it
     */
    public DecodeProcessor(Deserializer<T> deserializer, Class<T> type, Function<T, String> validator, String service,
            Runnable onDeadLetter) {
        this.deserializer = deserializer;
        this.type = type;
        this.validator = validator;
        this.service = service;
        this.onDeadLetter = onDeadLetter;
    }

    @Override
    public void init(ProcessorContext<String, Decoded<T>> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        context.forward(record.withValue(decode(record, context.recordMetadata().orElseThrow())));
    }

    /** The decoded, valid value of a record read at {@code meta}, or the dead letter that replaces it. */
    Decoded<T> decode(Record<String, byte[]> record, RecordMetadata meta) {
        String error;
        Throwable cause = null;
        if (record.value() == null) {
            error = "record has no value (tombstone) where a " + name() + " was expected";
        } else {
            Object decoded = null;
            try {
                decoded = deserializer.deserialize(meta.topic(), record.headers(), record.value());
                error = null;
            } catch (RuntimeException e) {
                error = "cannot decode " + record.value().length + " bytes as a " + name() + ": " + e.getMessage();
                cause = e;
            }
            if (error == null) {
                if (decoded == null) {
                    error = "decoded to null where a " + name() + " was expected";
                } else if (!type.isInstance(decoded)) {
                    error = "decoded a " + typeName(decoded) + " where a " + name() + " was expected (wrong schema on "
                            + meta.topic() + ")";
                } else {
                    T value = type.cast(decoded);
                    try {
                        error = validator.apply(value);
                    } catch (RuntimeException e) {
                        error = "invalid " + name() + ": " + e;
                        cause = e;
                    }
                    if (error == null) {
                        return Decoded.ok(value);
                    }
                }
            }
        }
        return deadLetter(record, meta, error, cause);
    }

    /** The dead letter of a record read at {@code meta}, counted. */
    Decoded<T> deadLetter(Record<String, byte[]> record, RecordMetadata meta, String error, Throwable cause) {
        onDeadLetter.run();
        byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
        return Decoded.dead(DeadLetters.of(service, meta.topic(), meta.partition(), meta.offset(), key, record.value(),
                error, cause));
    }

    private String name() {
        return type.getSimpleName();
    }

    private static String typeName(Object decoded) {
        return decoded instanceof SpecificRecord r ? r.getSchema().getFullName() : decoded.getClass().getName();
    }
}
