package io.rlstream.processors.curriculum;

import static io.rlstream.processors.curriculum.Prompts.outcome;
import static io.rlstream.processors.curriculum.Prompts.pool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DifficultyPoolsSelectorTest {

    @Test
    void theDefaultsArePrimeRlsPoolsAndBoundsBelongToTheLowerPool() {
        List<DifficultyPool> pools = DifficultyPool.parse(DifficultyPool.DEFAULTS);
        assertEquals(List.of(new DifficultyPool("hard", 0.25, 0.2), new DifficultyPool("normal", 0.75, 1.0),
                new DifficultyPool("easy", 1.0, 0.05)), pools);
        assertEquals(0, DifficultyPool.indexOf(pools, 0.0));
        assertEquals(0, DifficultyPool.indexOf(pools, 0.25));
        assertEquals(1, DifficultyPool.indexOf(pools, 0.2500001));
        assertEquals(2, DifficultyPool.indexOf(pools, 1.0));
    }

    @Test
    void badPoolSpecsSayWhatIsWrong() {
        assertTrue(msg("hard=0.5:1,easy=0.9:1").contains("upper bound 1"));
        assertTrue(msg("hard=0.5:1,easy=0.4:1,x=1:1").contains("must rise"));
        assertTrue(msg("hard:0.5").contains("name=upper:weight"));
        assertTrue(msg("hard=0.5:x,easy=1:1").contains("numbers"));
        assertTrue(msg("hard=0.5:0,easy=1:0").contains("positive weight"));
        assertTrue(msg("a=0.5:1,a=1:1").contains("twice"));
        assertTrue(msg("a=0.5:-1,b=1:1").contains(">= 0"));
    }

    private static String msg(String spec) {
        return assertThrows(IllegalArgumentException.class, () -> DifficultyPool.parse(spec)).getMessage();
    }

    @Test
    void poolsAreDrawnInProportionToTheirWeights() {
        // one prompt per pool, every prompt seen: P(hard) = 0.2 / 1.25 = 0.16, P(normal) = 0.8, P(easy) = 0.04;
        // over 10,000 picks the sds are sqrt(10000 p (1 - p)) = 36.7, 40, 19.6
        DifficultyPoolsSelector s = new DifficultyPoolsSelector(DifficultyPool.parse(DifficultyPool.DEFAULTS));
        PromptPool pool = pool("h", "n", "e");
        s.observe(outcome("h", 0.1), null);
        s.observe(outcome("n", 0.5), null);
        s.observe(outcome("e", 0.9), null);
        Map<String, Long> counts = s.choose(10_000, pool, Prompts.NONE_IN_FLIGHT, new Random(11)).stream()
                .collect(Collectors.groupingBy(c -> c.prompt().getPromptId(), Collectors.counting()));
        assertTrue(Math.abs(counts.get("h") - 1600) < 4 * 36.7, counts.toString());
        assertTrue(Math.abs(counts.get("n") - 8000) < 4 * 40, counts.toString());
        assertTrue(Math.abs(counts.get("e") - 400) < 4 * 19.6, counts.toString());
        assertEquals((double) counts.get("h"), s.metrics().get("chosen.hard"));
        assertEquals("easy", s.view("e", null).pool());
    }

    @Test
    void unseenPromptsShareTheNormalPoolAndEmptyPoolsAreSkipped() {
        // only a hard prompt is seen; 3 unseen prompts sit in normal: P(hard) = 0.2 / 1.2, unseen get the rest
        DifficultyPoolsSelector s = new DifficultyPoolsSelector(DifficultyPool.parse(DifficultyPool.DEFAULTS));
        PromptPool pool = pool("h", "u1", "u2", "u3");
        s.observe(outcome("h", 0.0), null);
        Map<String, Long> counts = s.choose(6000, pool, Prompts.NONE_IN_FLIGHT, new Random(5)).stream()
                .collect(Collectors.groupingBy(c -> c.prompt().getPromptId(), Collectors.counting()));
        // expected 1000 hard; sd sqrt(6000 * (1/6) * (5/6)) = 28.9
        assertTrue(Math.abs(counts.get("h") - 1000) < 4 * 28.9, counts.toString());
        assertEquals("normal (unseen)", s.view("u1", null).pool());
        // a prompt moves pools when its estimate moves
        s.observe(outcome("h", 0.6), null);
        assertEquals("normal", s.view("h", null).pool());
        assertEquals(0.0, s.metrics().get("pool_size.hard"));
        assertEquals(1.0, s.metrics().get("pool_size.normal"));
    }
}
