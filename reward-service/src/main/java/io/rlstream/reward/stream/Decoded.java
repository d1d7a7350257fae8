package io.rlstream.reward.stream;

import io.rlstream.events.DeadLetter;

/** A record after decoding: either the value or the dead letter that replaces it. */
public record Decoded<T>(T value, DeadLetter deadLetter) {

    public static <T> Decoded<T> ok(T value) {
        return new Decoded<>(value, null);
    }

    public static <T> Decoded<T> dead(DeadLetter deadLetter) {
        return new Decoded<>(null, deadLetter);
    }

    public boolean isDead() {
        return deadLetter != null;
    }
}
