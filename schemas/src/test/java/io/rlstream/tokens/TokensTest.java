package io.rlstream.tokens;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.Rollout;
import io.rlstream.events.ScoredSample;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokensTest {

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void intsArePackedAsInt32LittleEndian() {
        // 1 = 01 00 00 00; 256 = 00 01 00 00; -1 = ff ff ff ff; 151643 = 0x0002505b = 5b 50 02 00 (Qwen's <|endoftext|>)
        assertArrayEquals(new byte[] {1, 0, 0, 0, 0, 1, 0, 0, -1, -1, -1, -1, 0x5b, 0x50, 0x02, 0x00},
                bytes(Tokens.packInts(new int[] {1, 256, -1, 151643})));
        assertArrayEquals(bytes(Tokens.packInts(new int[] {1, 256})), bytes(Tokens.packInts(List.of(1, 256))));
    }

    @Test
    void floatsArePackedAsFloat32LittleEndian() {
        // IEEE 754: 1.0f = 0x3f800000, -0.5f = 0xbf000000; little-endian byte order
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, (byte) 0xbf},
                bytes(Tokens.packFloats(new float[] {1.0f, -0.5f})));
    }

    @Test
    void packedValuesReadBackWithoutMovingTheBuffer() {
        ByteBuffer packed = Tokens.packInts(new int[] {5, 6, 7});
        assertArrayEquals(new int[] {5, 6, 7}, Tokens.ints(packed, List.of()));
        assertArrayEquals(new int[] {5, 6, 7}, Tokens.ints(packed, List.of()), "a second read sees the same");
        assertEquals(0, packed.position());
        assertEquals(3, Tokens.count(packed, List.of()));
    }

    @Test
    void aNullPackedFieldMeansTheArray() {
        Rollout old = Rollout.newBuilder().setRolloutId("g/0").setGroupId("g").setPromptId("p").setSampleIndex(0)
                .setGroupSize(1).setPromptTokenIds(List.of(1, 2)).setResponseTokenIds(List.of(3, 4, 5))
                .setBehaviourLogprobs(List.of(-1f, -2f, -3f)).setResponseText("x").setPolicyVersion(0)
                .setFinishReason(io.rlstream.events.FinishReason.STOP).setStatus(io.rlstream.events.SampleStatus.OK)
                .setGeneratedAt(java.time.Instant.EPOCH).build();
        assertArrayEquals(new int[] {1, 2}, Tokens.promptIds(old));
        assertArrayEquals(new int[] {3, 4, 5}, Tokens.responseIds(old));
        assertArrayEquals(new float[] {-1f, -2f, -3f}, Tokens.logprobs(old));
        assertEquals(3, Tokens.responseLength(old));
        ScoredSample sample = Tokens.pack(ScoredSample.newBuilder().setRolloutId("g/0").setReward(1).setAdvantage(0)
                .setPolicyVersion(0), Tokens.promptIds(old), Tokens.responseIds(old), Tokens.logprobs(old)).build();
        assertTrue(sample.getResponseTokenIds().isEmpty());
        assertEquals(3, sample.getResponseLength());
        assertArrayEquals(new float[] {-1f, -2f, -3f}, Tokens.logprobs(sample));
    }

    @Test
    void bytesThatAreNotWholeValuesAreRefusedWithTheirCount() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tokens.ints(ByteBuffer.wrap(new byte[7]), List.of()));
        assertTrue(e.getMessage().contains("7 bytes, not a multiple of 4"), e.getMessage());
    }
}
