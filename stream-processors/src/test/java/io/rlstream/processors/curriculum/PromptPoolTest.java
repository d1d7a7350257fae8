package io.rlstream.processors.curriculum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.Prompt;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PromptPoolTest {

    static Prompt prompt(String id, String text) {
        return Prompt.newBuilder().setPromptId(id).setText(text).setCreatedAt(Instant.EPOCH).build();
    }

    @Test
    void keepsTheLatestValuePerIdAndForgetsRemovedOnes() {
        PromptPool pool = new PromptPool();
        pool.put(prompt("a", "1+1"));
        pool.put(prompt("b", "2+2"));
        pool.put(prompt("a", "1+2"));
        pool.remove("b");
        pool.remove("missing");
        assertEquals(1, pool.size());
        assertEquals("1+2", pool.sample(new Random(0)).getText());
    }

    @Test
    void samplesUniformly() {
        PromptPool pool = new PromptPool();
        for (String id : new String[] {"a", "b", "c", "d"}) {
            pool.put(prompt(id, id));
        }
        Random random = new Random(7);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 4000; i++) {
            counts.merge(pool.sample(random).getPromptId(), 1, Integer::sum);
        }
        // expected 1000 each; binomial sd = sqrt(4000 * 0.25 * 0.75) = 27, so 900..1100 is > 3.5 sd
        counts.values().forEach(n -> assertTrue(n > 900 && n < 1100, counts.toString()));
    }

    @Test
    void emptyPoolSaysSo() {
        assertThrows(IllegalStateException.class, () -> new PromptPool().sample(new Random()));
    }
}
