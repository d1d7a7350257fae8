package io.rlstream.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.testkit.ExpositionText;
import io.rlstream.monitoring.grafana.GrafanaDashboard;
import io.rlstream.testkit.KafkaFixture;
import io.rlstream.testkit.RegistryFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard cannot point at names that do not exist: the real demo (every service,
 * real broker and registry) runs until its one Prometheus endpoint has served every metric name
 * the dashboard's queries read, or its budget ends; then the names never served are the failure.
 */
class DashboardMetricsIT {

    private static final Pattern ENDPOINT = Pattern.compile("prometheus: (http://\\S+/metrics)");

    @Test
    void everyMetricTheDashboardQueriesIsServedByTheDemosEndpoint(@TempDir Path runDir) throws Exception {
        Set<String> wanted = GrafanaDashboard.read(Path.of("..").resolve(GrafanaDashboard.FILE)).metricNames();
        assertTrue(wanted.size() >= 15, "the dashboard reads " + wanted);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
        // Budget: warm start (~15 s) plus a few training steps; the test stops the demo once all names came.
        DemoSettings settings = DemoSettings.defaults(runDir).withBudget(Duration.ofMinutes(4)).withTarget(1.0);
        Set<String> served = new TreeSet<>();
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try (KafkaFixture kafka = KafkaFixture.start()) {
            Demo demo = new Demo(settings, kafka.bootstrapServers(), RegistryFixture.url(), out);
            Future<Demo.Result> run = thread.submit(demo::run);
            HttpClient http = HttpClient.newHttpClient();
            URI endpoint = null;
            while (!run.isDone()) {
                Thread.sleep(2000);
                if (endpoint == null) {
                    Matcher m = ENDPOINT.matcher(console.toString(StandardCharsets.UTF_8));
                    if (!m.find()) {
                        continue;
                    }
                    endpoint = URI.create(m.group(1));
                }
                try {
                    String body = http.send(HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10)).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    served.addAll(ExpositionText.names(ExpositionText.parse(body)));
                } catch (java.io.IOException closing) {
                    // the demo stopped between the check and the request
                }
                if (served.containsAll(wanted)) {
                    demo.requestStop("every dashboard metric was served");
                }
            }
            run.get();
        } finally {
            thread.shutdownNow();
        }
        Set<String> missing = new TreeSet<>(wanted);
        missing.removeAll(served);
        assertEquals(Set.of(), missing, "the dashboard queries metrics the demo's endpoint never served; demo output:\n"
                + console.toString(StandardCharsets.UTF_8));
    }
}
