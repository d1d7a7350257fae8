package io.rlstream.producers.rollouts.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** JSON fixtures under src/test/resources/http. */
final class Fixtures {

    private Fixtures() {
    }

    static JsonNode json(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/http/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return ServerProtocol.JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code node} as a server reads it: written as JSON text and parsed again (0.7f is read as the number 0.7). */
    static JsonNode asSent(JsonNode node) {
        try {
            return ServerProtocol.JSON.readTree(ServerProtocol.JSON.writeValueAsString(node));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
