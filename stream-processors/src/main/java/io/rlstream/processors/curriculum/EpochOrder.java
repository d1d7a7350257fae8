package io.rlstream.processors.curriculum;

import java.util.Random;

/**
 * Shuffled passes over the prompt pool, the way RL trainers' data loaders walk a dataset (verl,
 * AReaL, and PCL's candidate draws): each pass visits every prompt once in a fresh random order,
 * so a selector that reads candidates from it never sees a prompt twice in one pass. Prompts added
 * during a pass join the next one; prompts removed are skipped.
 */
final class EpochOrder {

    private String[] order = new String[0];
    private int next;
    private long passes;

    /** The next prompt id of the current pass, starting a new pass (reshuffled) when it is done; null for an empty pool. */
    String next(PromptPool pool, Random random) {
        if (next >= order.length) {
            if (pool.isEmpty()) {
                return null;
            }
            order = pool.ids();
            for (int i = order.length - 1; i > 0; i--) { // Fisher–Yates
                int j = random.nextInt(i + 1);
                String t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            next = 0;
            passes++;
        }
        return order[next++];
    }

    /** Passes started so far. */
    long passes() {
        return passes;
    }
}
