package io.rlstream.reward.stream;

import io.rlstream.deadletter.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
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

    private final Deserializer<T> deserializer;
    private final Function<T, String> validator;
    private final String service;
    private final Runnable onDeadLetter;
    private ProcessorContext<String, Decoded<T>> context;

    /**
     * @param validator returns null for a valid value, else what is wrong with it
     */
    public DecodeProcessor(Deserializer<T> deserializer, Function<T, String> validator, String service,
            Runnable onDeadLetter) {
        this.deserializer = deserializer;
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
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        String error;
        Throwable cause = null;
        if (record.value() == null) {
            error = "record has no value (tombstone) where an event was expected";
        } else {
            try {
                T value = deserializer.deserialize(meta.topic(), record.headers(), record.value());
                error = value == null ? "decoded to null" : validator.apply(value);
                if (error == null) {
                    context.forward(record.withValue(Decoded.ok(value)));
                    return;
                }
            } catch (RuntimeException e) {
                error = "cannot decode " + record.value().length + " bytes: " + e.getMessage();
                cause = e;
            }
        }
        onDeadLetter.run();
        byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
        context.forward(record.withValue(Decoded.dead(DeadLetters.of(service, meta.topic(), meta.partition(),
                meta.offset(), key, record.value(), error, cause))));
    }
}
