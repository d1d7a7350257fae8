package io.rlstream.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlstream.model.Generation;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import io.rlstream.model.tokenizer.CharTokenizer;
import io.rlstream.testkit.CommandConsole;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** rlstream serve: its flags, and the server as a separate process answering over HTTP. */
class ServeCommandTest {

    @TempDir
    Path tmp;

    @Test
    void helpAndUsageErrors() {
        CommandConsole.Output help = CommandConsole.once(ServeCommand::run, List.of("--help"));
        assertEquals(0, help.status());
        assertTrue(help.out().contains("--model=DIR") && help.out().contains("/update_weights_from_disk"), help.out());
        CommandConsole.Output noModel = CommandConsole.once(ServeCommand::run, List.of("--port", "0"));
        assertEquals(2, noModel.status());
        assertTrue(noModel.err().contains("--model DIR is required"), noModel.err());
        CommandConsole.Output unknown = CommandConsole.once(ServeCommand::run, List.of("--model", "x", "--gpu", "1"));
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("gpu"), unknown.err());
        CommandConsole.Output notAFolder = CommandConsole.once(ServeCommand::run,
                List.of("--model", tmp.resolve("none").toString()));
        assertEquals(2, notAFolder.status());
        assertTrue(notAFolder.err().contains("is not a folder"), notAFolder.err());
        CommandConsole.Output badPort = CommandConsole.once(ServeCommand::run,
                List.of("--model", tmp.toString(), "--port", "http"));
        assertEquals(2, badPort.status());
        CommandConsole.Output badRows = CommandConsole.once(ServeCommand::run,
                List.of("--model", tmp.toString(), "--max-batch-rows", "0"));
        assertEquals(2, badRows.status());
        assertTrue(badRows.err().contains("--max-batch-rows"), badRows.err());
        // rlstream's own usage lists the command.
        CommandConsole.Output usage = CommandConsole.once(Rlstream::run, List.of("--help"));
        assertTrue(usage.out().contains("serve --model DIR"), usage.out());
    }

    /**
     * `rlstream serve` started as its own JVM (the test classpath, as the trainer crash test
     * starts its trainer): it prints its address, and its greedy completion is the policy's greedy
     * generation computed here in-process.
     */
    @Test
    void servesAsASeparateProcess() throws Exception {
        Path dir = tmp.resolve("model");
        try (Policy policy = Policy.create(PolicyConfig.demo(), 5)) {
            policy.save(dir, Map.of());
        }
        int[] prompt = CharTokenizer.arithmetic().encodePrompt("12+9=");
        Generation expected;
        try (Policy policy = Policy.load(dir)) {
            expected = policy.greedy(List.of(prompt), 6).get(0);
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path tokenFile = Files.writeString(tmp.resolve("token"), "s3cret\n");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                "-Dai.djl.offline=true", Rlstream.class.getName(), "serve", "--model", dir.toString(),
                "--port", "0", "--name", "tiny", "--weight-version", "w7", "--token-file", tokenFile.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertTrue(line != null && line.startsWith("rlstream serve: tiny (weight version w7) at http://127.0.0.1:"),
                    String.valueOf(line));
            Matcher m = Pattern.compile("at (http://127\\.0\\.0\\.1:\\d+)").matcher(line);
            assertTrue(m.find(), line);
            URI base = URI.create(m.group(1));
            HttpClient http = HttpClient.newHttpClient();
            assertEquals(200, http.send(HttpRequest.newBuilder(base.resolve("/health")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": " + Arrays.toString(prompt)
                            + ", \"max_tokens\": 6, \"temperature\": 0, \"return_token_ids\": true}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("w7", r.headers().firstValue("X-Weight-Version").orElse(null));
            JsonNode choice = new ObjectMapper().readTree(r.body()).get("choices").get(0);
            int[] tokens = new int[choice.get("token_ids").size()];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = choice.get("token_ids").get(i).intValue();
            }
            assertArrayEquals(expected.tokens(), tokens);
            // --token-file: a weight update without the token is refused, with it it is served
            String update = "{\"model_path\": " + new ObjectMapper().writeValueAsString(dir.toString()) + "}";
            HttpRequest.Builder post = HttpRequest.newBuilder(base.resolve("/update_weights_from_disk"))
                    .POST(HttpRequest.BodyPublishers.ofString(update));
            assertEquals(401, http.send(post.build(), HttpResponse.BodyHandlers.discarding()).statusCode());
            HttpResponse<String> served = http.send(post.header("Authorization", "Bearer s3cret").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, served.statusCode(), served.body());
        } finally {
            p.destroy();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "serve stops on SIGTERM");
        }
    }
}
