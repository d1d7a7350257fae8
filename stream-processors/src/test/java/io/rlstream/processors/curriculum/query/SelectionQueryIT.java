package io.rlstream.processors.curriculum.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlstream.events.PromptSelection;
import io.rlstream.processors.tools.PromptsQueryCommand;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.CommandConsole;
import io.rlstream.testkit.PipelineFixture;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rlstream prompts top|show} end to end: views on rl.prompt-selection (a real broker, the
 * real registry's serdes), the global-table store, the HTTP query server, the command.
 *
 * <pre>
 *   prompt  selected  groups  estimate  last mean  V(x)     |err|    |V(x) − 0.5|, else |estimate − 0.5|
 *   p1      8         3       0.75      1.0        0.5625   0.4375   0.0625   (second view; the first had selected 3)
 *   p2      7         5       0.25      0.0        0.125    0.125    0.375
 *   p3      1         1       0.75      0.5        -        -        0.25     (no V(x): its estimate stands in)
 *   p4      0         0       -         -          -        -        -        (unseen: last)
 * </pre>
 *
 * Test 8 adds a view ("add/5+5", selected 20) and a record that is not a PromptSelection after
 * the store started, and test 9 reads the topic again into a fresh store; they run after the
 * others (the method order) because they change what those list.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SelectionQueryIT {

    private static final TopicCatalog CATALOG = TopicCatalog.defaults();
    private static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");
    private static final Map<String, Object> SELECTOR_STATUS = Map.of("name", "pcl", "candidates", 64,
            "value_model_updates", 7);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final PipelineFixture pipeline = PipelineFixture.extension(CATALOG);
    @TempDir
    static Path stateDir;
    private static SelectionStore store;
    private static SelectionQueryServer server;

    @BeforeAll
    static void up() throws Exception {
        produce(view("p1", "1+1", 3, 2, 0.5, 0.5, 0.625, 0.125, T0),
                view("p2", "2+2", 7, 5, 0.25, 0.0, 0.125, 0.125, T0),
                view("p3", "3+3", 1, 1, 0.75, 0.5, null, null, T0),
                view("p4", "4+4", 0, 0, null, null, null, null, T0),
                // p1 again, later: the store must keep this one
                view("p1", "1+1", 8, 3, 0.75, 1.0, 0.5625, 0.4375, T0.plusSeconds(60)));
        store = new SelectionStore(pipeline.kafka().clientConfig(), CATALOG, pipeline.serdes(), "selection-query-it",
                stateDir);
        store.start();
        awaitCount(4);
        server = new SelectionQueryServer(store, () -> SELECTOR_STATUS, "127.0.0.1", 0, 0.5);
    }

    @AfterAll
    static void down() {
        if (server != null) {
            server.close();
        }
        if (store != null) {
            store.close();
        }
    }

    private static PromptSelection view(String id, String text, long selected, long groups, Double estimate,
            Double lastMean, Double prediction, Double predictionError, Instant at) {
        return PromptSelection.newBuilder().setPromptId(id).setText(text).setSelector("pcl").setSelected(selected)
                .setGroups(groups).setEstimate(estimate).setLastGroupMeanReward(lastMean).setPrediction(prediction)
                .setPredictionError(predictionError).setValueModelUpdates(groups).setValueModelPolicyVersion(2)
                .setPolicyVersion(4).setUpdatedAt(at).build();
    }

    private static void produce(PromptSelection... views) {
        pipeline.sendAll(Topic.PROMPT_SELECTION, PromptSelection::getPromptId, Arrays.asList(views));
    }

    private static void awaitCount(long expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        long seen = -1;
        while (System.currentTimeMillis() < deadline) {
            try {
                seen = store.count();
                if (seen == expected) {
                    return;
                }
            } catch (SelectionStore.Unavailable loading) {
                // still restoring the topic: wait
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the store holds " + seen + " prompts after 60 s, expected " + expected
                + " (Kafka Streams is " + store.state() + ")");
    }

    /** The exit status, stdout and stderr of one command run against the test server. */
    private record Run(int status, String out, String err) {

        /** The prompt ids of a {@code top} table, in order: the first word of each row after the two header lines. */
        List<String> ids() {
            List<String> lines = out.lines().toList();
            return lines.subList(2, lines.size()).stream().map(l -> l.split("\\s+")[0]).toList();
        }

        /** The words of the table row of {@code id}. */
        List<String> row(String id) {
            return out.lines().map(l -> Arrays.asList(l.split("\\s+"))).filter(w -> w.get(0).equals(id)).findFirst()
                    .orElseThrow(() -> new AssertionError("no row " + id + " in\n" + out));
        }
    }

    private static Run prompts(String... args) {
        return prompts(server.address(), args);
    }

    private static Run prompts(URI dispatcher, String... args) {
        List<String> argv = new ArrayList<>(List.of(args));
        argv.addAll(List.of("--dispatcher", dispatcher.toString()));
        CommandConsole.Output o = CommandConsole.once(PromptsQueryCommand::run, argv);
        return new Run(o.status(), o.out(), o.err());
    }

    private static HttpResponse<String> get(String method, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.address() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void topBySelectedListsTheMostDispatchedFirstWithTheLatestViewOfEachPrompt() {
        Run run = prompts("top", "--by", "selected");
        assertEquals(0, run.status(), run.err());
        assertEquals("selector pcl, by selected: 4 of 4 prompts in the selector's state", run.out().lines().findFirst().get());
        // p1's second view (8) puts it ahead of p2 (7); with its first (3) it would come after
        assertEquals(List.of("p1", "p2", "p3", "p4"), run.ids(), run.out());
        assertEquals(List.of("p1", "1+1", "8", "3", "0.750", "1.000", "0.563", "0.438", "-"), run.row("p1"));
        assertEquals(List.of("p4", "4+4", "0", "0", "-", "-", "-", "-", "-"), run.row("p4"));
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void topByClosenessIsThePclOrder() {
        Run run = prompts("top", "--by", "closeness", "--n", "3");
        assertEquals(0, run.status(), run.err());
        assertEquals("selector pcl, by closeness (tau 0.500): 3 of 4 prompts in the selector's state",
                run.out().lines().findFirst().get());
        // |V(x) - 0.5|: p1 0.0625, p2 0.375; p3 has no V(x), so |0.75 - 0.5| = 0.25 ranks it between;
        // p4 (nothing known) would be last, and --n 3 cuts it
        assertEquals(List.of("p1", "p3", "p2"), run.ids(), run.out());
    }

    @Test
    @org.junit.jupiter.api.Order(3)
    void showPrintsTheNewerViewOfAnUpdatedPrompt() {
        Run run = prompts("show", "p1");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().matches("(?s).*\\bselected:\\s+8\\n.*"), run.out());
        assertTrue(run.out().matches("(?s).*\\bestimate:\\s+0\\.75\\n.*"), run.out());
        assertTrue(run.out().matches("(?s).*\\bprediction V\\(x\\):\\s+0\\.5625\\n.*"), run.out());
        assertTrue(run.out().matches("(?s).*\\bupdated at:\\s+2025-06-01T12:01:00Z\\n.*"), run.out());
    }

    @Test
    @org.junit.jupiter.api.Order(4)
    void jsonIsTheServersAnswerAsItIs() throws IOException {
        Run run = prompts("top", "--n", "1", "--json");
        assertEquals(0, run.status(), run.err());
        JsonNode answer = JSON.readTree(run.out());
        assertEquals(4, answer.get("count").asLong());
        assertEquals("selected", answer.get("by").asText());
        JsonNode p1 = answer.get("prompts").get(0);
        assertEquals("p1", p1.get("prompt_id").asText());
        assertEquals(0.4375, p1.get("prediction_error").asDouble(), 0.0);
        assertEquals(2, p1.get("value_model_policy_version").asLong());
        assertEquals("2025-06-01T12:01:00Z", p1.get("updated_at").asText());
    }

    @Test
    @org.junit.jupiter.api.Order(5)
    void anUnknownPromptIsExitOneWithTheMessage() {
        Run run = prompts("show", "missing");
        assertEquals(1, run.status());
        assertTrue(run.err().contains("no prompt 'missing' in the selector's state"), run.err());
    }

    @Test
    @org.junit.jupiter.api.Order(6)
    void badParametersAreRefusedWithTheValidValues() throws Exception {
        Run run = prompts("top", "--by", "hardest");
        assertEquals(2, run.status(), "the server's 400 is a usage error");
        assertTrue(run.err().contains("unknown order 'hardest'; valid: selected, estimate, prediction, closeness, recent"),
                run.err());

        Run tooMany = prompts("top", "--n", "10001");
        assertEquals(2, tooMany.status());
        assertTrue(tooMany.err().contains("parameter n must be a whole number from 1 to 10000, got '10001'"), tooMany.err());

        assertEquals(400, get("GET", "/prompts/top?n=0").statusCode());
        assertEquals(400, get("GET", "/prompts/top?limit=5").statusCode());
        assertEquals(404, get("GET", "/nothing").statusCode());
        HttpResponse<String> post = get("POST", "/prompts/top");
        assertEquals(405, post.statusCode());
        assertEquals("GET", post.headers().firstValue("Allow").orElse(""));
        // the server answers on after all that
        assertEquals(200, get("GET", "/prompts/top").statusCode());
    }

    @Test
    @org.junit.jupiter.api.Order(7)
    void selectorAnswersWhatTheDispatcherSupplies() throws Exception {
        HttpResponse<String> response = get("GET", "/selector");
        assertEquals(200, response.statusCode());
        assertEquals(SELECTOR_STATUS, JSON.readValue(response.body(), Map.class));
    }

    @Test
    @org.junit.jupiter.api.Order(8)
    void aViewWrittenWhileRunningShowsUpAndABadRecordIsSkipped() throws InterruptedException {
        // a record that is not a PromptSelection is skipped, and the store reads on past it
        pipeline.sendBytes(Topic.PROMPT_SELECTION, "garbage", "not avro".getBytes(StandardCharsets.UTF_8));
        // an id with '/' and '+' (as a dataset's may be) must come back through the URL path whole
        produce(view("add/5+5", "5+5", 20, 0, null, null, 0.5, null, T0.plusSeconds(120)));
        awaitCount(5);
        Run run = prompts("top", "--by", "recent", "--n", "2");
        assertEquals(0, run.status(), run.err());
        // the new view is the newest, p1's second view the next newest
        assertEquals(List.of("add/5+5", "p1"), run.ids(), run.out());
        assertTrue(run.out().startsWith("selector pcl, by recent: 2 of 5 prompts"), run.out());

        Run show = prompts("show", "add/5+5");
        assertEquals(0, show.status(), show.err());
        assertTrue(show.out().startsWith("prompt:                 add/5+5\n"), show.out());
    }

    @Test
    @org.junit.jupiter.api.Order(9)
    void aFreshStoreLoadsTheWholeTopicBadRecordIncluded(@TempDir Path freshStateDir) {
        // A new state folder: the global thread restores the topic from its start. A restore copies the
        // bytes into the store undecoded (the bad record too, unlike the live path), so the queries skip it.
        try (SelectionStore fresh = new SelectionStore(pipeline.kafka().clientConfig(), CATALOG, pipeline.serdes(),
                "selection-query-it-fresh", freshStateDir)) {
            fresh.start();
            assertEquals(5, fresh.count(), "p1..p4 and add/5+5; the record that is not a PromptSelection is skipped");
            assertEquals(8, fresh.get("p1").orElseThrow().getSelected());
            assertTrue(fresh.get("garbage").isEmpty());
            assertEquals(List.of("add/5+5", "p1"), fresh.top(2, SelectionRanking.Order.SELECTED, 0.5).stream()
                    .map(PromptSelection::getPromptId).toList());
        }
    }

    @Test
    @org.junit.jupiter.api.Order(10)
    void aMissingTopicFailsAtStartAndQueriesSayTheStoreIsNotAvailable(@TempDir Path otherStateDir) {
        TopicCatalog elsewhere = new TopicCatalog("missing.", 4);
        try (SelectionStore orphan = new SelectionStore(pipeline.kafka().clientConfig(), elsewhere, pipeline.serdes(),
                "selection-query-it-missing", otherStateDir)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, orphan::start);
            assertTrue(e.getMessage().startsWith("cannot load the selector's state from missing.prompt-selection: "),
                    e.getMessage());
            SelectionStore.Unavailable unavailable = assertThrows(SelectionStore.Unavailable.class, orphan::count);
            assertFalse(unavailable.loading(), "a failed store does not come back by waiting: " + unavailable.getMessage());
            // not "no such prompt": the server answers 503 for this, 404 for an unknown prompt
            assertThrows(SelectionStore.Unavailable.class, () -> orphan.get("p1"));
            try (SelectionQueryServer orphanServer = new SelectionQueryServer(orphan, Map::of, "127.0.0.1", 0, 0.5)) {
                Run run = prompts(orphanServer.address(), "show", "p1");
                assertEquals(1, run.status());
                // PENDING_ERROR or ERROR: Kafka Streams moves from one to the other on its own thread.
                assertTrue(java.util.regex.Pattern.compile(
                        "the selector's state store is not available \\(Kafka Streams is (PENDING_)?ERROR\\)")
                        .matcher(run.err()).find(), run.err());
            }
        }
    }
}
