package io.rlstream.deadletter;

import io.rlstream.events.DeadLetter;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;

/**
 * Builds {@link DeadLetter} events for records a service cannot process (docs/architecture.md#rules-every-service-keeps, rule 3):
 * the raw bytes, where they came from and why. Values larger than {@link #MAX_KEPT_BYTES} are
 * truncated so that the dead letter itself always fits; {@code size} keeps the original length.
 */
public final class DeadLetters {

    /** Bytes of the original value kept in a dead letter. */
    public static final int MAX_KEPT_BYTES = 64 * 1024;

    private DeadLetters() {
    }

    public static DeadLetter of(String service, String topic, int partition, long offset, byte[] key, byte[] value,
            String error, Throwable cause) {
        int size = value == null ? 0 : value.length;
        byte[] kept = value == null ? null : Arrays.copyOf(value, Math.min(size, MAX_KEPT_BYTES));
        return DeadLetter.newBuilder()
                .setService(service)
                .setSourceTopic(topic)
                .setSourcePartition(partition)
                .setSourceOffset(offset)
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setValue(kept == null ? null : ByteBuffer.wrap(kept))
                .setSize(size)
                .setError(error)
                .setErrorClass(cause == null ? "" : cause.getClass().getName())
                .setTime(Instant.now())
                .build();
    }
}
