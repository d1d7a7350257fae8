package io.rlstream.processors.grouping;

import io.rlstream.events.DeadLetter;

/** A record on its way through the topology: either the value to pass on, or the dead letter that replaces it. */
record Routed<T>(T value, DeadLetter deadLetter) {

    static <T> Routed<T> ok(T value) {
        return new Routed<>(value, null);
    }

    static <T> Routed<T> dead(DeadLetter deadLetter) {
        return new Routed<>(null, deadLetter);
    }

    boolean isDead() {
        return deadLetter != null;
    }
}
