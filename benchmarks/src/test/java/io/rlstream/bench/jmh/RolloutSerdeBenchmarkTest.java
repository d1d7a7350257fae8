package io.rlstream.bench.jmh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.bench.jmh.RolloutSerdeBenchmark.TokenArrays;
import io.rlstream.events.Rollout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The serde benchmark measures equivalent work in both formats: its own encode and decode methods
 * give back the drawn tokens either way, and the sizes are the ones Avro's binary encoding
 * (avro.apache.org/docs/1.12.0/specification/#binary-encoding) gives by hand.
 */
class RolloutSerdeBenchmarkTest {

    private static RolloutSerdeBenchmark bench(int responseTokens, String format) {
        RolloutSerdeBenchmark bench = new RolloutSerdeBenchmark();
        bench.responseTokens = responseTokens;
        bench.format = format;
        bench.setUp();
        return bench;
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 1000, 8000})
    void bothFormatsDecodeToTheDrawnTokens(int t) {
        TokenArrays drawn = RolloutSerdeBenchmark.draw(t, 42);
        assertEquals(t, drawn.responseIds().length);
        for (String format : new String[] {RolloutSerdeBenchmark.ARRAYS, RolloutSerdeBenchmark.PACKED}) {
            RolloutSerdeBenchmark bench = bench(t, format);
            TokenArrays decoded = bench.decodeToTokens();
            assertArrayEquals(drawn.promptIds(), decoded.promptIds(), format);
            assertArrayEquals(drawn.responseIds(), decoded.responseIds(), format);
            assertArrayEquals(drawn.logprobs(), decoded.logprobs(), format);
            // encode() is deterministic: what decode() reads is what encode() writes now.
            assertArrayEquals(bench.encode(), bench.encode(), format);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 1000, 8000})
    void eachFormatCarriesTheTokensOnlyWhereItSays(int t) {
        Rollout arrays = bench(t, RolloutSerdeBenchmark.ARRAYS).decode();
        assertEquals(t, arrays.getResponseTokenIds().size());
        assertNull(arrays.getPackedResponseTokenIds());
        assertNull(arrays.getPackedBehaviourLogprobs());

        Rollout packed = bench(t, RolloutSerdeBenchmark.PACKED).decode();
        assertTrue(packed.getResponseTokenIds().isEmpty());
        assertTrue(packed.getBehaviourLogprobs().isEmpty());
        assertNotNull(packed.getPackedResponseTokenIds());
    }

    @ParameterizedTest
    @CsvSource({"100, 936", "1000, 8136", "8000, 64138"})
    void packedIsEightBytesPerResponseTokenPlusAConstant(int t, int expected) {
        // The record without its tokens, by hand: strings are a zigzag-varint length and the UTF-8
        // bytes: rollout_id "group-000042/3" 1+14, group_id 1+12, prompt_id 1+13, response_text
        // "The answer is 42." 1+17, generator_id "generator-0" 1+11 = 72; sample_index 3,
        // group_size 8, policy_version 17: 1 byte each = 3; the three empty arrays: one 0 each = 3;
        // finish_reason, status: 1 each, error null: its union index, 1 = 3; generated_at
        // 1,796,000,000,000 ms, zigzag 3.592e12 < 2^42: 6 bytes; temperature: union index + float32
        // = 5; max_new_tokens 8192, zigzag 16384 = 2^14: union index + 3 bytes = 4; the three
        // packed fields null: their union index, 1 each = 3. Total 72+3+3+3+6+5+4+3 = 99.
        //
        // Packed: each of the three fields is its union index (1, counted in the 99), a length
        // varint and the bytes. Prompt: 8 x 4 = 32 bytes, zigzag 64: 1 byte -> 33. Response ids
        // and log-probs: 4T bytes each, zigzag 8T: 2 bytes for 8T < 2^14 (T = 100, 1000), 3 for
        // T = 8000. So 99 + 33 + 8T + 2 x varint(8T):
        //   T = 100:  99 + 33 + 800 + 4     = 936
        //   T = 1000: 99 + 33 + 8000 + 4    = 8136
        //   T = 8000: 99 + 33 + 64000 + 6   = 64138
        assertEquals(expected, bench(t, RolloutSerdeBenchmark.PACKED).encode().length);
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 1000, 8000})
    void arraysAreOneVarintPerIdAndFourBytesPerLogprob(int t) {
        // An independent count of Avro's array encoding: a block count (zigzag varint), the items,
        // and a 0 that ends the array (the 0 an empty array also has, counted in the 99 above).
        // Ints are zigzag varints of 1 to 3 bytes for ids below 151,936; floats are 4 bytes.
        TokenArrays drawn = RolloutSerdeBenchmark.draw(t, 42);
        int expected = 99
                + varintLength(2L * drawn.promptIds().length) + varintLengths(drawn.promptIds())
                + varintLength(2L * t) + varintLengths(drawn.responseIds())
                + varintLength(2L * t) + 4 * t;
        assertEquals(expected, bench(t, RolloutSerdeBenchmark.ARRAYS).encode().length);
    }

    /** Sum of the varint lengths of the ids' zigzag encodings (2 x id for id >= 0). */
    private static int varintLengths(int[] ids) {
        int sum = 0;
        for (int id : ids) {
            sum += varintLength(2L * id);
        }
        return sum;
    }

    /** Bytes of an unsigned varint: 7 bits per byte. */
    private static int varintLength(long v) {
        int n = 1;
        while (v >= 0x80) {
            v >>>= 7;
            n++;
        }
        return n;
    }
}
