package io.rlstream.model.tokenizer;

import java.util.Arrays;

/**
 * A character-level tokenizer: one token per character of a fixed alphabet, plus three special
 * tokens with fixed ids that every tokenizer of this policy family reserves: {@link #PAD} = 0,
 * {@link #BOS} = 1, {@link #EOS} = 2. {@link Policy} relies on these ids (it pads with 0 and stops
 * at 2), so the tokenizer and the network agree without passing ids around.
 */
public final class CharTokenizer {

    /** Padding; never attended to and never predicted. */
    public static final int PAD = 0;
    /** Beginning of sequence; every prompt starts with it. */
    public static final int BOS = 1;
    /** End of sequence; the policy emits it to stop. */
    public static final int EOS = 2;

    private static final int FIRST_CHAR_ID = 3;

    private final String alphabet;
    private final int[] idByChar = new int[128];

    /**
     * Creates a tokenizer over the given ASCII characters; ids follow their order from 3.
     *
     * @param alphabet distinct printable ASCII characters
     */
    public CharTokenizer(String alphabet) {
        Arrays.fill(idByChar, -1);
        for (int i = 0; i < alphabet.length(); i++) {
            char c = alphabet.charAt(i);
            if (c >= idByChar.length || idByChar[c] >= 0) {
                throw new IllegalArgumentException(
                        "alphabet must hold distinct ASCII characters, got '" + alphabet + "'");
            }
            idByChar[c] = FIRST_CHAR_ID + i;
        }
        this.alphabet = alphabet;
    }

    /** The tokenizer of the arithmetic task: digits, '+', '=' and '-' (16 tokens in all). */
    public static CharTokenizer arithmetic() {
        return new CharTokenizer("0123456789+=-");
    }

    /** BOS followed by the characters of {@code text}: what the policy is conditioned on. */
    public int[] encodePrompt(String text) {
        int[] body = encode(text);
        int[] tokens = new int[body.length + 1];
        tokens[0] = BOS;
        System.arraycopy(body, 0, tokens, 1, body.length);
        return tokens;
    }

    /** The characters of {@code text}, one token each, without specials. */
    public int[] encode(String text) {
        int[] tokens = new int[text.length()];
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int id = c < idByChar.length ? idByChar[c] : -1;
            if (id < 0) {
                throw new IllegalArgumentException(
                        "character '" + c + "' at index " + i + " of \"" + text
                                + "\" is not in the tokenizer alphabet \"" + alphabet + "\"");
            }
            tokens[i] = id;
        }
        return tokens;
    }

    /** Text of the tokens up to the first EOS; PAD and BOS are skipped. */
    public String decode(int[] tokens) {
        StringBuilder text = new StringBuilder(tokens.length);
        for (int token : tokens) {
            if (token == EOS) {
                break;
            }
            if (token == PAD || token == BOS) {
                continue;
            }
            int index = token - FIRST_CHAR_ID;
            if (index < 0 || index >= alphabet.length()) {
                throw new IllegalArgumentException(
                        "token id " + token + " is outside the vocabulary of size " + vocabSize());
            }
            text.append(alphabet.charAt(index));
        }
        return text.toString();
    }

    public int pad() {
        return PAD;
    }

    public int bos() {
        return BOS;
    }

    public int eos() {
        return EOS;
    }

    /** The characters of the vocabulary, in id order from 3. */
    public String alphabet() {
        return alphabet;
    }

    /** Number of token ids, specials included. */
    public int vocabSize() {
        return FIRST_CHAR_ID + alphabet.length();
    }
}
