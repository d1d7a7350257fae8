package io.rlstream.processors.curriculum;

import io.rlstream.events.Prompt;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The prompts the dispatcher can choose from, as the prompts topic says (latest value per
 * prompt_id; a tombstone removes). Uniform random choice in O(1).
 */
public final class PromptPool {

    private final List<Prompt> prompts = new ArrayList<>();
    private final Map<String, Integer> indexById = new HashMap<>();

    public void put(Prompt prompt) {
        Integer at = indexById.get(prompt.getPromptId());
        if (at == null) {
            indexById.put(prompt.getPromptId(), prompts.size());
            prompts.add(prompt);
        } else {
            prompts.set(at, prompt);
        }
    }

    public void remove(String promptId) {
        Integer at = indexById.remove(promptId);
        if (at == null) {
            return;
        }
        Prompt last = prompts.remove(prompts.size() - 1);
        if (at < prompts.size()) {
            prompts.set(at, last);
            indexById.put(last.getPromptId(), at);
        }
    }

    /** A prompt drawn uniformly at random. */
    public Prompt sample(Random random) {
        if (prompts.isEmpty()) {
            throw new IllegalStateException("the prompt pool is empty");
        }
        return prompts.get(random.nextInt(prompts.size()));
    }

    /**
     * A prompt drawn uniformly from those that pass {@code test}, by rejection: at most
     * {@code tries} draws, then null. Cheap while such prompts are not rare (unseen prompts early
     * in a run); a caller falls back to another rule when it gets null.
     */
    public Prompt sampleWhere(Random random, java.util.function.Predicate<Prompt> test, int tries) {
        for (int i = 0; i < tries && !prompts.isEmpty(); i++) {
            Prompt p = prompts.get(random.nextInt(prompts.size()));
            if (test.test(p)) {
                return p;
            }
        }
        return null;
    }

    /** The ids of every prompt, in pool order (a copy). */
    public String[] ids() {
        return prompts.stream().map(Prompt::getPromptId).toArray(String[]::new);
    }

    /** The prompt with this id, or null when it is not in the pool. */
    public Prompt get(String promptId) {
        Integer at = indexById.get(promptId);
        return at == null ? null : prompts.get(at);
    }

    public int size() {
        return prompts.size();
    }

    public boolean isEmpty() {
        return prompts.isEmpty();
    }
}
