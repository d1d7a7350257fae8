package io.rlstream.schemas;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * A deserializer that throws, instead of returning another type, on another event's bytes. The
 * registry deserializer returns the class of whatever schema wrote a record, so a Reward's bytes on
 * a topic of prompts decode to a Reward; where Streams decodes for us (a table, a global store),
 * this turns that into a deserialization error its handler skips and logs (issue 19).
 */
public final class TypeCheckedDeserializer {

    private TypeCheckedDeserializer() {
    }

    public static <T> Deserializer<T> of(Deserializer<T> deserializer, Class<T> type) {
        Deserializer<?> raw = deserializer;
        return new Deserializer<>() {
            @Override
            public T deserialize(String topic, byte[] bytes) {
                return check(topic, raw.deserialize(topic, bytes));
            }

            @Override
            public T deserialize(String topic, Headers headers, byte[] bytes) {
                return check(topic, raw.deserialize(topic, headers, bytes));
            }

            private T check(String topic, Object value) {
                if (value != null && !type.isInstance(value)) {
                    throw new SerializationException("decoded a " + value.getClass().getName() + " where a "
                            + type.getSimpleName() + " was expected (wrong schema on " + topic + ")");
                }
                return type.cast(value);
            }
        };
    }
}
