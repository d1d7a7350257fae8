package io.rlstream.trainer.core;

import io.rlstream.model.tokenizer.CharTokenizer;

/** The response a policy is trained towards for an addition answer: its digit tokens, then EOS. */
public final class AnswerTokens {

    public static final CharTokenizer TOKENIZER = CharTokenizer.arithmetic();

    private AnswerTokens() {}

    /** {@code "85"} → the tokens of '8', '5' and EOS. */
    public static int[] of(String answer) {
        int[] digits = TOKENIZER.encode(answer);
        int[] out = new int[digits.length + 1];
        System.arraycopy(digits, 0, out, 0, digits.length);
        out[digits.length] = CharTokenizer.EOS;
        return out;
    }
}
