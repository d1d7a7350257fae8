package io.rlstream.processors.curriculum;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

/**
 * Decides which prompts the dispatcher sends to the generators next (docs/algorithms.md#prompt-selectors). Pure: no
 * Kafka; the dispatcher feeds it every completed group from rl.prompt-stats and asks it for
 * prompts while admission control lets groups through. Generation is the dominant cost of RL for
 * language models, and a group whose samples all pass or all fail has zero GRPO advantages and
 * teaches nothing, so a selector's job is to spend generation on prompts of intermediate
 * difficulty for the current policy.
 *
 * <p>Implementations are registered by name in {@link PromptSelectors}; each states its rule and
 * source in its Javadoc. Not thread-safe: the dispatcher calls it from its one thread.
 */
public interface PromptSelector {

    /** The name it is registered and configured under ({@code dispatch.selector}). */
    String name();

    /**
     * Chooses {@code m} prompts to dispatch now (a prompt may come more than once).
     *
     * @param pool     the prompts that may be chosen, never empty
     * @param inFlight whether a prompt id has a group dispatched and not yet completed: what is known
     *                 of it is about to change, so selectors that choose on knowledge pass it over
     *                 while others are there (a policy can learn a prompt within a few steps)
     * @param random   the dispatcher's seeded random stream
     */
    List<Choice> choose(int m, PromptPool pool, Predicate<String> inFlight, Random random);

    /** The dispatcher sent {@code choice} as group {@code groupId}; selectors that grade their predictions remember it. */
    default void dispatched(String groupId, Choice choice) {
    }

    /**
     * Learns from one completed group of a prompt.
     *
     * @param prompt the prompt as the pool holds it, or null when it is no longer there
     */
    void observe(GroupOutcome outcome, io.rlstream.events.Prompt prompt);

    /** What the selector knows of a prompt now; {@code text} is the prompt's text when known. */
    PromptView view(String promptId, String text);

    /** Counters and gauges for the metrics topic, by metric name (without the {@code selector.} prefix). */
    Map<String, Double> metrics();

    /** m prompts from {@code pick}, one call each, each with the selector's view of it when picked. */
    static List<Choice> picks(int m, java.util.function.Supplier<io.rlstream.events.Prompt> pick, PromptSelector selector) {
        List<Choice> out = new java.util.ArrayList<>(m);
        for (int i = 0; i < m; i++) {
            io.rlstream.events.Prompt p = pick.get();
            out.add(new Choice(p, selector.view(p.getPromptId(), p.getText())));
        }
        return out;
    }
}
