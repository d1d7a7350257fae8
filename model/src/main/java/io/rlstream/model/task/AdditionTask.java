package io.rlstream.model.task;

import io.rlstream.model.Generation;
import io.rlstream.model.Policy;
import io.rlstream.model.tokenizer.HfTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Two-digit addition "a+b=" → "a+b" for all a, b in 10..99: 8,100 problems, answers of two or
 * three digits (20..198).
 *
 * <p>Why this range: large enough that a held-out split measures generalisation rather than
 * memory, small enough that the ~400k-parameter demo model learns it on two CPU cores within
 * minutes. Single-digit operands are left out on purpose: they shift the digit alignment ("7+48="
 * vs "37+48="), which a 2-layer model learns slowly; with 0..99 operands RL lifted two-digit
 * problems from 31% to 75% in 60 steps while those with a one-digit operand stayed at 13–26%
 * (model/README.md). With both operands two digits long every prompt has the same layout and the
 * demo measures RL, not alignment.
 *
 * <p>The split is fixed: a seeded shuffle puts {@value #HELD_OUT_SIZE} problems in
 * {@link #heldOut()}, never used for the warm start or for RL, and the rest in {@link #train()}.
 */
public final class AdditionTask {

    /** Smallest operand. */
    public static final int MIN_OPERAND = 10;
    /** Largest operand. */
    public static final int MAX_OPERAND = 99;
    /** Size of the held-out split. */
    public static final int HELD_OUT_SIZE = 500;
    /** Response tokens the demo's character tokenizer needs: up to three digits plus EOS ({@link #maxResponseTokens}). */
    public static final int MAX_RESPONSE_TOKENS = 4;

    private static final long SPLIT_SEED = 20250101L;

    private final List<Problem> train;
    private final List<Problem> heldOut;

    private AdditionTask(List<Problem> train, List<Problem> heldOut) {
        this.train = List.copyOf(train);
        this.heldOut = List.copyOf(heldOut);
    }

    /** The standard split: always the same 7,600 train and 500 held-out problems. */
    public static AdditionTask standard() {
        List<Problem> all = new ArrayList<>();
        for (int a = MIN_OPERAND; a <= MAX_OPERAND; a++) {
            for (int b = MIN_OPERAND; b <= MAX_OPERAND; b++) {
                all.add(new Problem("add-" + a + "-" + b, a + "+" + b + "=", Integer.toString(a + b)));
            }
        }
        Collections.shuffle(all, new Random(SPLIT_SEED));
        return new AdditionTask(all.subList(HELD_OUT_SIZE, all.size()), all.subList(0, HELD_OUT_SIZE));
    }

    /** Problems for warm start and RL, in a fixed shuffled order. */
    public List<Problem> train() {
        return train;
    }

    /** Problems for evaluation only. */
    public List<Problem> heldOut() {
        return heldOut;
    }

    /**
     * The prompt ids of {@code problem} as the rollout worker makes them for a plain-text prompt:
     * {@code tokenizer(text)} with the post-processor's special tokens (a BOS where the tokenizer
     * adds one: the demo's {@code <bos>}, Llama 3.1's {@code <|begin_of_text|>}; nothing for Qwen).
     */
    public static int[] encodePrompt(HfTokenizer tokenizer, Problem problem) {
        return tokenizer.encode(problem.prompt(), true);
    }

    /** The supervised target of {@code problem}: the answer's ids (no special tokens) then {@code eos}. */
    public static int[] encodeTarget(HfTokenizer tokenizer, Problem problem, int eos) {
        int[] answer = tokenizer.encode(problem.answer(), false);
        int[] target = Arrays.copyOf(answer, answer.length + 1);
        target[answer.length] = eos;
        return target;
    }

    /**
     * The longest prompt of all 8,100 problems in {@code tokenizer}'s ids ({@link #encodePrompt}):
     * measured, not assumed from the characters (7 for the demo's tokenizer: BOS + "ab+cd=").
     */
    public static int longestPromptTokens(HfTokenizer tokenizer) {
        int longest = 0;
        for (int a = MIN_OPERAND; a <= MAX_OPERAND; a++) {
            for (int b = MIN_OPERAND; b <= MAX_OPERAND; b++) {
                longest = Math.max(longest, tokenizer.encode(a + "+" + b + "=", true).length);
            }
        }
        return longest;
    }

    /**
     * The most response tokens an answer needs in {@code tokenizer}'s ids: the longest of the
     * answers 20..198 encoded, plus the end-of-sequence token ({@value #MAX_RESPONSE_TOKENS} for the
     * demo's tokenizer: three digits and EOS).
     */
    public static int maxResponseTokens(HfTokenizer tokenizer) {
        int longest = 0;
        for (int sum = 2 * MIN_OPERAND; sum <= 2 * MAX_OPERAND; sum++) {
            longest = Math.max(longest, tokenizer.encode(Integer.toString(sum), false).length);
        }
        return longest + 1;
    }

    /**
     * Fraction of {@code problems} whose greedy response is exactly the answer, prompts encoded and
     * responses decoded with the policy's own tokenizer, at most {@link #maxResponseTokens} tokens.
     */
    public static double greedyAccuracy(Policy policy, List<Problem> problems) {
        HfTokenizer tokenizer = policy.tokenizer();
        List<int[]> prompts = new ArrayList<>(problems.size());
        for (Problem problem : problems) {
            prompts.add(encodePrompt(tokenizer, problem));
        }
        List<Generation> responses = policy.greedy(prompts, maxResponseTokens(tokenizer));
        int correct = 0;
        for (int i = 0; i < problems.size(); i++) {
            if (isCorrect(responses.get(i), problems.get(i), tokenizer)) {
                correct++;
            }
        }
        return (double) correct / problems.size();
    }

    /**
     * Exact match: the response ended with a stop token (was not cut at the limit) and the text
     * before it, decoded without special tokens and stripped of surrounding whitespace, equals the
     * answer. The stop token is dropped before decoding, so an EOS the tokenizer does not mark
     * special is not part of the text either.
     */
    public static boolean isCorrect(Generation response, Problem problem, HfTokenizer tokenizer) {
        if (response.truncated()) {
            return false;
        }
        int[] tokens = response.tokens();
        int[] text = Arrays.copyOf(tokens, Math.max(0, tokens.length - 1));
        return tokenizer.decode(text, true).strip().equals(problem.answer());
    }
}
