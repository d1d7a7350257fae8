package io.rlstream.processors.curriculum;

import io.rlstream.events.Prompt;
import java.time.Instant;

/** Test prompts and group outcomes. */
final class Prompts {

    /** No prompt has a group in flight. */
    static final java.util.function.Predicate<String> NONE_IN_FLIGHT = id -> false;

    private Prompts() {
    }

    static Prompt prompt(String id) {
        return Prompt.newBuilder().setPromptId(id).setText(id).setCreatedAt(Instant.EPOCH).build();
    }

    static PromptPool pool(String... ids) {
        PromptPool pool = new PromptPool();
        for (String id : ids) {
            pool.put(prompt(id));
        }
        return pool;
    }

    /** A completed group of {@code promptId} whose mean reward (and moving average) is {@code passRate}. */
    static GroupOutcome outcome(String promptId, double passRate) {
        return new GroupOutcome(promptId, promptId + "-g", 1, passRate, passRate, 8, 0);
    }
}
