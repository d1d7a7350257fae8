package io.rlstream.producers.rollouts.http;

/** A server answered with JSON that does not have the shape its protocol documents; the message says what is off. */
public final class MalformedResponseException extends RuntimeException {

    public MalformedResponseException(String message) {
        super(message);
    }
}
