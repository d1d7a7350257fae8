package io.rlstream.reward.stream;

import io.rlstream.schemas.SerdeFactory;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;

/**
 * The generic bad records of issue 19, as the registry-framed topics would carry them, and what a
 * dead letter's reason must say about each. In this order, the wrong type last. (A copy of
 * stream-processors' test class of the same name: test code is not shared between modules.)
 */
enum BadRecord {
    /** Bytes that are not our framing at all (no magic byte 0). */
    UNDECODABLE,
    /** Magic byte 0 and a 4-byte schema id the registry never gave out. */
    UNKNOWN_SCHEMA_ID,
    /** A value of zero bytes. */
    EMPTY,
    /** No value at all. */
    TOMBSTONE,
    /** Another event with valid framing: its schema registered under this topic's subject. */
    WRONG_TYPE;

    /**
     * @param wrong the event of another type to send for {@link #WRONG_TYPE}
     */
    byte[] bytes(SerdeFactory serdes, String topic, SpecificRecord wrong) {
        return switch (this) {
            case UNDECODABLE -> "not avro at all".getBytes(StandardCharsets.UTF_8);
            // id 0x7ffffff0: far past any id a test registry hands out
            case UNKNOWN_SCHEMA_ID -> new byte[] {0, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xf0, 2, 4, 6};
            case EMPTY -> new byte[0];
            case TOMBSTONE -> null;
            case WRONG_TYPE -> serialize(serdes, topic, wrong);
        };
    }

    private static <T extends SpecificRecord> byte[] serialize(SerdeFactory serdes, String topic, T value) {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) value.getClass();
        return serdes.serde(type).serializer().serialize(topic, value);
    }

    /**
     * Whether a dead letter's reason says what was wrong.
     *
     * @param expected  the simple name of the type the topic carries
     * @param wrongType the full schema name of the {@link #WRONG_TYPE} event
     */
    boolean explains(String error, String expected, String wrongType) {
        return switch (this) {
            case UNDECODABLE, UNKNOWN_SCHEMA_ID -> error.startsWith("cannot decode ") && error.contains(expected);
            case EMPTY -> (error.startsWith("cannot decode 0 bytes") || error.startsWith("decoded to null"))
                    && error.contains(expected);
            case TOMBSTONE -> error.contains("tombstone") && error.contains(expected);
            case WRONG_TYPE -> error.startsWith("decoded a " + wrongType + " where a " + expected + " was expected");
        };
    }
}
