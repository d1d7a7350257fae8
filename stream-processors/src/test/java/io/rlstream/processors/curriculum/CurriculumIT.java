package io.rlstream.processors.curriculum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlstream.events.Prompt;
import io.rlstream.processors.ProcessorsFixture;
import io.rlstream.processors.config.ProcessorsConfig;
import io.rlstream.processors.dispatch.DispatcherService;
import io.rlstream.processors.dispatch.GroupingStandIn;
import io.rlstream.processors.tools.PromptsQueryCommand;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.CommandConsole;
import io.rlstream.testkit.PipelineFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The curriculum on a real broker and the real registry: the dispatcher, configured with
 * {@code dispatch.selector=pass-rate-window}, learns from rl.prompt-stats, which a stand-in for the
 * grouping app writes for every dispatched group: prompts "easy-*" always pass, "mid-*" pass half
 * the time. From the second pass over the pool on, the window skips the easy prompts (their
 * latest group was all right), so with explore 0 the mid prompts get nearly all groups; the user
 * sees that through `rlstream prompts top|show` while it runs, and a restarted dispatcher knows
 * what its predecessor dispatched.
 */
class CurriculumIT {

    private static final TopicCatalog CATALOG = TopicCatalog.defaults();
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final PipelineFixture pipeline = PipelineFixture.extension(CATALOG);
    @TempDir
    Path stateDir;

    private ProcessorsConfig config() {
        return ProcessorsFixture.config(pipeline, stateDir, Map.of(
                "dispatch.selector", "pass-rate-window",
                "selector.window.explore", "0",
                // fewer groups in flight than mid prompts: an idle mid prompt is always there, so the
                // window never falls back to a uniform pick
                "dispatch.max-in-flight-groups", "2",
                "group.size", "2",
                "dispatch.query.port", "0",
                "processors.metrics.interval.ms", "100"));
    }

    private static CommandConsole.Output run(String... args) {
        return CommandConsole.once(PromptsQueryCommand::run, List.of(args));
    }

    @Test
    void theWindowSpendsTheGroupsOnTheIntermediatePromptsAndUsersCanSeeWhy() throws Exception {
        pipeline.sendAll(Topic.PROMPTS, Prompt::getPromptId, List.of("easy-1", "easy-2", "easy-3", "mid-1", "mid-2", "mid-3")
                .stream().map(id -> Prompt.newBuilder().setPromptId(id).setText(id + "?").setCreatedAt(Instant.now()).build())
                .toList());
        ProcessorsConfig config = config();
        try (GroupingStandIn grouping = new GroupingStandIn(pipeline, id -> id.startsWith("easy") ? 1.0 : 0.5, false)) {
            DispatcherService first = DispatcherService.start(config, null);
            String url = first.queryAddress().orElseThrow().toString();
            grouping.answer(Duration.ofSeconds(8));

            // the first pass dispatched every prompt once; after it, easy prompts are skipped
            long easy = grouping.groupsByPrompt().entrySet().stream().filter(e -> e.getKey().startsWith("easy"))
                    .mapToLong(Map.Entry::getValue).sum();
            long mid = grouping.groupsByPrompt().entrySet().stream().filter(e -> e.getKey().startsWith("mid"))
                    .mapToLong(Map.Entry::getValue).sum();
            assertTrue(mid >= 20, "groups keep coming as they complete: " + grouping.groupsByPrompt());
            // each easy prompt goes once, in the first pass (in the next it is in flight or known to be
            // learnt); one more if the very first poll saw only part of the pool
            assertTrue(easy >= 3 && easy <= 4, "easy prompts stop after their first groups: " + grouping.groupsByPrompt());

            // what the user sees while it runs
            ProcessorsFixture.await(() -> run("top", "--dispatcher", url, "--by", "selected", "--json").out().contains("mid-"),
                    Duration.ofSeconds(20), "the selection state reaches the query store");
            CommandConsole.Output top = run("top", "--dispatcher", url, "--by", "selected", "--n", "3", "--json");
            assertEquals(0, top.status(), top.err());
            JsonNode prompts = JSON.readTree(top.out()).get("prompts");
            assertEquals(3, prompts.size());
            for (JsonNode p : prompts) {
                assertTrue(p.get("prompt_id").asText().startsWith("mid"), "the most dispatched are mid: " + top.out());
                assertEquals("in-window", p.get("pool").asText());
                assertEquals(0.5, p.get("estimate").asDouble(), 1e-12);
            }
            ProcessorsFixture.await(() -> run("show", "easy-1", "--dispatcher", url, "--json").out().contains("above-window"),
                    Duration.ofSeconds(20), "easy-1's latest view is above the window");
            JsonNode easy1 = JSON.readTree(run("show", "easy-1", "--dispatcher", url, "--json").out());
            assertEquals(1.0, easy1.get("estimate").asDouble(), 1e-12);
            assertEquals(grouping.groupsByPrompt().get("easy-1").longValue(), easy1.get("selected").asLong());
            String table = run("top", "--dispatcher", url).out();
            assertTrue(table.contains("pass-rate-window") && table.contains("mid-1?"), table);
            JsonNode status = JSON.readTree(new java.net.URL(url + "/selector").openStream());
            assertEquals("pass-rate-window", status.get("selector").asText());
            assertTrue(status.get("metrics").get("skipped").asDouble() > 0, status.toString());
            first.close();

            // a restarted dispatcher reads what was dispatched and learnt, and keeps skipping the easy prompts
            long easyBefore = easy;
            DispatcherService second = DispatcherService.start(config, null);
            try {
                grouping.answer(Duration.ofSeconds(6));
                long easyAfter = grouping.groupsByPrompt().entrySet().stream().filter(e -> e.getKey().startsWith("easy"))
                        .mapToLong(Map.Entry::getValue).sum();
                // the restart's first picks may come before it has re-read the stats: at most one pass
                assertTrue(easyAfter - easyBefore <= 3, "after the restart: " + grouping.groupsByPrompt());
                String second1 = second.queryAddress().orElseThrow().toString();
                ProcessorsFixture.await(() -> {
                    CommandConsole.Output shown = run("show", "mid-1", "--dispatcher", second1, "--json");
                    try {
                        return shown.status() == 0 && JSON.readTree(shown.out()).get("selected").asLong()
                                >= grouping.groupsByPrompt().get("mid-1") - 2;
                    } catch (java.io.IOException e) {
                        return false;
                    }
                }, Duration.ofSeconds(20), "the restarted dispatcher counts mid-1's earlier dispatches");
            } finally {
                second.close();
            }
        }
    }
}
