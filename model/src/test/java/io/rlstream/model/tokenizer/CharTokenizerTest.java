package io.rlstream.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CharTokenizerTest {

    private final CharTokenizer tokenizer = CharTokenizer.arithmetic();

    @Test
    void specialsHaveTheFixedIdsThePolicyReliesOn() {
        assertEquals(0, tokenizer.pad());
        assertEquals(1, tokenizer.bos());
        assertEquals(2, tokenizer.eos());
        // 3 specials + 10 digits + '+', '=', '-'
        assertEquals(16, tokenizer.vocabSize());
    }

    @Test
    void encodesCharactersInAlphabetOrderAfterTheSpecials() {
        // '0' -> 3 ... '9' -> 12, '+' -> 13, '=' -> 14
        assertArrayEquals(new int[] {6, 10, 13, 7, 11, 14}, tokenizer.encode("37+48="));
        assertArrayEquals(new int[] {1, 6, 10, 13, 7, 11, 14}, tokenizer.encodePrompt("37+48="));
    }

    @Test
    void decodeRoundTripsAndStopsAtEos() {
        assertEquals("12+7=19", tokenizer.decode(tokenizer.encodePrompt("12+7=19")));
        int[] response = {11, 8, CharTokenizer.EOS, 5, 5};
        assertEquals("85", tokenizer.decode(response));
        assertEquals("85", tokenizer.decode(new int[] {CharTokenizer.PAD, 11, 8}));
    }

    @Test
    void unknownCharacterIsRejectedWithItsPosition() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> tokenizer.encode("3*4="));
        assertTrue(e.getMessage().contains("'*' at index 1"), e.getMessage());
    }

    @Test
    void unknownTokenIdIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(new int[] {16}));
    }
}
