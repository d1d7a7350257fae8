package io.rlstream.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlstream.testkit.KafkaFixture;
import io.rlstream.testkit.RegistryFixture;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real browser against a running demo: headless Chromium (Debian's
 * /usr/bin/chromium, driven by playwright-core from src/test/browser) loads the page the demo
 * serves, waits until every chart (accuracy, reward, effective ratio, staleness, throughput, KL,
 * loss) has drawn a line through at least two steps, checks that the value each chart shows is
 * the API's value for that step, and opens the lineage of a trained group: its prompt, its G
 * rollouts with rewards and advantages, its batch and the checkpoint that trained it.
 *
 * <p>Needs node, chromium and the browser check's node_modules ({@code npm ci --prefix
 * demo/src/test/browser}; the test runs it when they are missing, .ci/run too). Without them it
 * is skipped, except where the environment variable CI is set: there it fails.
 */
class DashboardIT {

    static final Path BROWSER_DIR = Path.of("src/test/browser");
    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("RLSTREAM_CHROMIUM", "/usr/bin/chromium"));
    static final List<String> CHARTS = List.of("accuracy", "reward", "effective_ratio", "staleness", "throughput", "kl", "loss");

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void chartsAndLineageRenderWithTheDemosDataInHeadlessChromium(@TempDir Path runDir) throws Exception {
        requireBrowser();
        DemoSettings settings = DemoSettings.defaults(runDir).withBudget(Duration.ofMinutes(5)).withTarget(0.99);
        Path shots = Path.of("target", "dashboard-it");
        Files.createDirectories(shots);
        JsonNode result;
        try (KafkaFixture kafka = KafkaFixture.start()) {
            Demo demo = new Demo(settings, kafka.bootstrapServers(), RegistryFixture.url(),
                    new PrintStream(System.out, true, StandardCharsets.UTF_8)).dashboardPort(0);
            CompletableFuture<Demo.Result> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return demo.run();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try {
                URI page = awaitAddress(demo, run);
                // enough steps that a line is drawn; the browser waits for the evaluations
                awaitSteps(page, 3, run);
                result = browse(page, shots.resolve("dashboard.png"));
            } finally {
                demo.requestStop("the browser check is done");
            }
            Demo.Result demoResult = run.get(3, TimeUnit.MINUTES);
            assertTrue(demoResult.steps() >= 3, "the demo trained: " + demoResult.steps() + " steps");
        }
        assertEquals(0, result.get("errors").size(), "no errors in the browser: " + result.get("errors"));
        for (String chart : CHARTS) {
            JsonNode c = result.get("charts").get(chart);
            assertTrue(c.get("points").asInt() >= 2, chart + " has a line through at least 2 steps: " + c);
            assertTrue(c.get("d").asInt() > 0, chart + " path has a shape: " + c);
            assertTrue(c.get("step").isNumber() && c.get("api_value").isNumber(), chart + " shows an API value: " + c);
            assertEquals(c.get("api_value").asDouble(), c.get("value").asDouble(), 0.0,
                    chart + ": the page shows the API's value for step " + c.get("step"));
            assertTrue(!c.get("shown").asText().equals("–"), chart + " shows its latest value: " + c);
        }
        JsonNode lineage = result.get("lineage");
        JsonNode api = result.get("lineage_api");
        assertEquals("trained", lineage.get("stage").asText(), lineage.toString());
        assertEquals(api.get("prompt").get("text").asText(), lineage.get("prompt").asText());
        assertTrue(lineage.get("prompt").asText().matches("\\d+\\+\\d+="), "an addition prompt: " + lineage);
        assertEquals(settings.groupSize(), lineage.get("rollouts").asInt(), "G rollouts: " + lineage);
        int rewards = 0;
        for (JsonNode r : lineage.get("rewards")) {
            rewards += r.asText().matches("-?\\d+\\.\\d{3}") ? 1 : 0;
        }
        assertEquals(settings.groupSize(), rewards, "a reward per rollout: " + lineage);
        int shownAdvantages = 0;
        for (JsonNode a : lineage.get("advantages")) {
            shownAdvantages += a.asText().matches("[+-]\\d+\\.\\d{3}") ? 1 : 0;
        }
        int inBatch = 0;
        for (JsonNode s : api.get("samples")) {
            inBatch += s.get("in_batch").asBoolean() ? 1 : 0;
        }
        assertTrue(inBatch >= 2, "a trained group has samples in its batch: " + api);
        assertEquals(inBatch, shownAdvantages, "an advantage per sample in the batch: " + lineage);
        assertEquals(api.get("batch").get("batch_id").asText(), lineage.get("batch").asText());
        assertEquals(api.get("checkpoint").get("version").asLong(), lineage.get("checkpoint_version").asLong());
        assertTrue(result.get("unknown_group").asText().contains("not among the"), result.get("unknown_group").asText());
        assertTrue(Files.size(shots.resolve("dashboard.png")) > 20_000, "a screenshot of the page");
    }

    /** node, chromium and playwright-core, or skip (fail where CI is set). */
    static void requireBrowser() throws IOException, InterruptedException {
        boolean ci = System.getenv("CI") != null;
        String missing = null;
        if (!Files.isExecutable(CHROMIUM)) {
            missing = CHROMIUM + " (apt-get install chromium)";
        } else if (!onPath("node")) {
            missing = "node (Node.js 20)";
        } else if (!Files.isDirectory(BROWSER_DIR.resolve("node_modules/playwright-core")) && onPath("npm")) {
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--prefix", BROWSER_DIR.toString())
                    .inheritIO().start();
            if (!npm.waitFor(5, TimeUnit.MINUTES)) {
                npm.destroyForcibly();
            }
        }
        if (missing == null && !Files.isDirectory(BROWSER_DIR.resolve("node_modules/playwright-core"))) {
            missing = "playwright-core in " + BROWSER_DIR.toAbsolutePath() + "/node_modules (npm ci --prefix demo/src/test/browser)";
        }
        if (missing != null) {
            String message = "DashboardIT needs " + missing + "; .ci/run installs it";
            if (ci) {
                fail(message + " (CI is set, so this is a failure, not a skip)");
            }
            Assumptions.assumeTrue(false, message);
        }
    }

    private static boolean onPath(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", "command -v " + command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }

    private static URI awaitAddress(Demo demo, CompletableFuture<Demo.Result> run) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            if (demo.dashboardAddress().isPresent()) {
                return demo.dashboardAddress().get();
            }
            if (run.isDone()) {
                run.get(); // rethrows the demo's failure
                fail("the demo ended before it served a dashboard");
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the demo did not start its dashboard within 2 minutes");
    }

    private void awaitSteps(URI page, int steps, CompletableFuture<Demo.Result> run) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (System.nanoTime() < deadline && !run.isDone()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(page.resolve("api/steps")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (json.readTree(r.body()).get("steps").size() >= steps) {
                return;
            }
            Thread.sleep(1_000);
        }
        if (run.isDone()) {
            run.get();
        }
        throw new AssertionError("the dashboard had not " + steps + " steps within 4 minutes");
    }

    private JsonNode browse(URI page, Path screenshot) throws Exception {
        Process node = new ProcessBuilder("node", "check-dashboard.mjs", page.toString(), screenshot.toAbsolutePath().toString(),
                CHROMIUM.toString()).directory(BROWSER_DIR.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!node.waitFor(5, TimeUnit.MINUTES)) {
            node.destroyForcibly();
            fail("the browser check did not finish within 5 minutes: " + out);
        }
        String[] lines = out.strip().split("\n");
        assertEquals(0, node.exitValue(), "node check-dashboard.mjs exit code; output: " + out);
        JsonNode result = json.readTree(lines[lines.length - 1]);
        assertNotNull(result.get("charts"), out);
        System.out.println("DashboardIT browser result: " + result);
        return result;
    }
}
