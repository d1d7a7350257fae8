package io.rlstream.reward.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A small remote reward server in OpenRLHF's shape, run as a second process by the tests:
 * {@code POST /get_reward {"query": [...], "prompts": [...], "labels": [...]}} →
 * {@code {"rewards": [...], "scores": [...], "extra_logs": {}}} with
 * {@code reward = (query ends with label ? 1 : 0) + 0.01 · len(query)}. It checks
 * {@code Authorization: Bearer <token>} (401 otherwise) and appends one line per request to the log
 * file: {@code <status> <batch size>}. {@code /wrong-length} answers one reward too few.
 *
 * <p>Arguments: port-file token log-file. It writes its port to port-file once it listens.
 */
public final class RewardServerMain {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        Path portFile = Path.of(args[0]);
        String token = args[1];
        Path log = Path.of(args[2]);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> handle(exchange, token, log));
        server.start();
        Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
        Files.writeString(tmp, Integer.toString(server.getAddress().getPort()));
        Files.move(tmp, portFile);
    }

    private static void handle(HttpExchange exchange, String token, Path log) throws IOException {
        try (exchange) {
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            int n = body.path("query").size();
            if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                record(log, 401, n);
                reply(exchange, 401, "{\"detail\": \"invalid token\"}");
                return;
            }
            record(log, 200, n);
            ObjectNode answer = JSON.createObjectNode();
            ArrayNode rewards = answer.putArray("rewards");
            int count = exchange.getRequestURI().getPath().equals("/wrong-length") ? n - 1 : n;
            for (int i = 0; i < count; i++) {
                String query = body.get("query").get(i).asText();
                String label = body.get("labels").get(i).asText();
                rewards.add((query.endsWith(label) ? 1.0 : 0.0) + 0.01 * query.length());
            }
            answer.set("scores", rewards.deepCopy());
            answer.putObject("extra_logs");
            reply(exchange, 200, JSON.writeValueAsString(answer));
        }
    }

    private static synchronized void record(Path log, int status, int n) throws IOException {
        Files.writeString(log, status + " " + n + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static void reply(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
