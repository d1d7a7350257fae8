package io.rlstream.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.rlstream.events.Metric;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;

/**
 * The registry client passes credentials (issue 21): with apicurio.registry.auth.username and
 * .password among a service's settings, the Avro serde's requests to the registry carry HTTP
 * basic auth. The "registry" is a real HTTP server on loopback that records each request's
 * Authorization header and refuses it (401), as a registry does to a wrong user; the expected
 * header is computed independently: RFC 7617, "Basic " + base64("user:password").
 */
class RegistryCredentialsTest {

    @Test
    void theSerdeSendsBasicAuthFromTheApicurioPassThroughSettings() throws Exception {
        List<String> authorizations = new CopyOnWriteArrayList<>();
        HttpServer registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        registry.createContext("/", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(auth == null ? "(none)" : auth);
            byte[] body = "{\"error_code\":401,\"message\":\"Unauthorized\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(401, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        registry.start();
        try {
            String url = "http://127.0.0.1:" + registry.getAddress().getPort() + "/apis/registry/v2";
            ServiceConfig config = new ServiceConfig(ServiceConfig.baseDef(), Map.of(ServiceConfig.REGISTRY_URL, url,
                    "apicurio.registry.auth.username", "rlstream-worker",
                    "apicurio.registry.auth.password", "s3cret"));
            Metric metric = Metric.newBuilder().setName("worker.rollouts").setValue(1).setSource("test")
                    .setTime(Instant.ofEpochMilli(0)).build();
            try (Serializer<Metric> serializer = config.serdes().serde(Metric.class).serializer()) {
                try {
                    serializer.serialize("rl.metrics", metric);
                } catch (RuntimeException refused) {
                    // the fake registry refuses every request; what matters is what was sent
                }
            }
            assertFalse(authorizations.isEmpty(), "the serde asked the registry");
            String expected = "Basic " + Base64.getEncoder().encodeToString("rlstream-worker:s3cret".getBytes(StandardCharsets.UTF_8));
            assertTrue(authorizations.stream().allMatch(expected::equals), authorizations.toString());
            assertEquals(expected, authorizations.get(0));
        } finally {
            registry.stop(0);
        }
    }
}
