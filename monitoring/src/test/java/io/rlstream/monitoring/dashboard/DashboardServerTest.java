package io.rlstream.monitoring.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlstream.events.SampleStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The JSON API and the static page, on a free port, over a series and an index fed by hand. */
class DashboardServerTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private final StepSeries series = new StepSeries(100);
    private final LineageIndex lineage = new LineageIndex(2);
    private DashboardServer server;

    @BeforeEach
    void start() throws Exception {
        server = DashboardServer.start("127.0.0.1", 0, series, lineage, () -> Map.of("records", 42));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(server.address().resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode getJson(String path, int status) throws Exception {
        HttpResponse<String> r = get(path);
        assertEquals(status, r.statusCode(), path + ": " + r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        return json.readTree(r.body());
    }

    @Test
    void stepsArePagedByRevision() throws Exception {
        series.add(Events.checkpoint(1, 1, List.of(), Map.of("reward_mean", 0.25, "loss", -0.5)));
        series.add(Events.checkpoint(2, 2, List.of(), Map.of("reward_mean", 0.75)));
        JsonNode all = getJson("api/steps", 200);
        assertEquals(2, all.get("revision").asLong());
        assertEquals(2, all.get("steps").size());
        assertEquals(0.25, all.get("steps").get(0).get("values").get("reward").asDouble());
        assertEquals(-0.5, all.get("steps").get(0).get("values").get("loss").asDouble());
        assertEquals(2, all.get("steps").get(1).get("policy_version").asLong());
        assertEquals("checkpoints", all.get("sources").get(0).asText());
        assertTrue(all.get("series").toString().contains("\"id\":\"accuracy\""));

        series.add(Events.checkpoint(3, 3, List.of(), Map.of("reward_mean", 1.0)));
        JsonNode later = getJson("api/steps?since=2", 200);
        assertEquals(1, later.get("steps").size());
        assertEquals(3, later.get("steps").get(0).get("step").asLong());
        assertEquals(400, get("api/steps?since=x").statusCode());
    }

    @Test
    void lineageOfAKeptGroupAnd404ForAnEvictedOne() throws Exception {
        lineage.add(Events.dispatch("run-1", "p1", "12+30=", 2, 0));
        lineage.add(Events.rollout("run-1", 0, "42", 0, SampleStatus.OK));
        lineage.add(Events.rollout("run-1", 1, "41", 0, SampleStatus.OK));
        lineage.add(Events.reward("run-1", 0, 1.0));
        lineage.add(Events.reward("run-1", 1, 0.0));
        lineage.add(Events.batchGroup("b0", 0, 0, "run-1", List.of(Events.scored("run-1", 0, 1.0, 1.0f, 0),
                Events.scored("run-1", 1, 0.0, -1.0f, 0))));
        lineage.add(Events.checkpoint(1, 1, List.of("b0"), Map.of()));

        JsonNode g = getJson("api/lineage/run-1", 200);
        assertEquals("trained", g.get("stage").asText());
        assertEquals("12+30=", g.get("prompt").get("text").asText());
        assertEquals(2, g.get("samples").size());
        assertEquals(-1.0, g.get("samples").get(1).get("advantage").asDouble());
        assertEquals("b0", g.get("batch").get("batch_id").asText());
        assertEquals(1, g.get("checkpoint").get("version").asLong());

        lineage.add(Events.dispatch("run-2", "p2", "1+1=", 2, 0));
        lineage.add(Events.dispatch("run-3", "p3", "2+2=", 2, 0)); // capacity 2: run-1 is evicted
        JsonNode gone = getJson("api/lineage/run-1", 404);
        assertTrue(gone.get("error").asText().contains("not among the 2 most recent groups"), gone.toString());

        JsonNode recent = getJson("api/groups/recent?n=5", 200);
        assertEquals("run-3", recent.get("groups").get(0).get("group_id").asText());
        assertEquals(2, recent.get("kept").asInt());
        assertEquals(42, getJson("api/summary", 200).get("feed").get("records").asInt());
    }

    @Test
    void servesThePageItsScriptAndStylesheetFromTheClassPath() throws Exception {
        HttpResponse<String> page = get("");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<script src=\"dashboard.js\"></script>"));
        HttpResponse<String> js = get("dashboard.js");
        assertEquals("text/javascript; charset=utf-8", js.headers().firstValue("Content-Type").orElse(""));
        assertTrue(js.body().contains("'accuracy'") && js.body().contains("'throughput'"));
        assertEquals(200, get("dashboard.css").statusCode());
        assertTrue(!page.body().contains("http://") && !page.body().contains("https://"),
                "the page loads nothing from elsewhere");
        assertEquals(404, get("nothing-here").statusCode());
        assertEquals(URI.create("http://127.0.0.1:" + server.address().getPort() + "/"), server.address());
    }
}
