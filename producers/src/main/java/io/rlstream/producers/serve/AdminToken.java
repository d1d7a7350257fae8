package io.rlstream.producers.serve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;

/**
 * The bearer token that guards the inference server's endpoints that change its state (weight
 * updates, pause, resume, cache reset; issue 21): a request without {@code Authorization: Bearer
 * TOKEN} gets 401. Read from the environment variable {@value #ENV} or from a file (its first
 * line), never from a command line (visible in {@code ps}) and never logged: {@link #toString()}
 * hides it. The worker sends it from its setting {@code generate.token}.
 */
public final class AdminToken {

    /** Environment variable holding the token of {@code rlstream serve}. */
    public static final String ENV = "RLSTREAM_SERVE_TOKEN";

    private final byte[] secret;

    private AdminToken(String secret) {
        if (secret.isBlank()) {
            throw new IllegalArgumentException("the serve token is empty");
        }
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    public static AdminToken of(String secret) {
        return new AdminToken(secret.strip());
    }

    /**
     * The token of a server: the first line of {@code file} when given, else {@value #ENV} from
     * {@code env}; empty when neither is set (then the state-changing endpoints are open, and the
     * server should stay on 127.0.0.1).
     *
     * @throws UncheckedIOException when the file cannot be read; IllegalArgumentException when it is empty
     */
    public static Optional<AdminToken> resolve(Path file, Map<String, String> env) {
        if (file != null) {
            try {
                String first = Files.readAllLines(file, StandardCharsets.UTF_8).stream().findFirst().orElse("");
                if (first.isBlank()) {
                    throw new IllegalArgumentException("the token file " + file + " is empty");
                }
                return Optional.of(of(first));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the token file " + file + ": " + e.getMessage(), e);
            }
        }
        String fromEnv = env.get(ENV);
        return fromEnv == null || fromEnv.isBlank() ? Optional.empty() : Optional.of(of(fromEnv));
    }

    /** True when an {@code Authorization} header value carries this token (compared in constant time). */
    public boolean accepts(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = authorizationHeader.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(secret, given);
    }

    @Override
    public String toString() {
        return "AdminToken[hidden]";
    }
}
