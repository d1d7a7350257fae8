package io.rlstream.reward.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class OverlongPenaltyTest {

    // L_max 20, L_c 4: no penalty up to 16 tokens, a ramp of -1/4 per token from 17 to 20, -1 beyond.
    private final OverlongPenalty penalty = new OverlongPenalty(20, 4, 1.0);

    @Test
    void noPenaltyUpToMaxLengthMinusBuffer() {
        assertEquals(0.0, penalty.penalty(0));
        assertEquals(0.0, penalty.penalty(15));
        assertEquals(0.0, penalty.penalty(16));
    }

    @Test
    void linearRampInsideTheBuffer() {
        assertEquals(-0.25, penalty.penalty(17)); // (16 - 17) / 4
        assertEquals(-0.5, penalty.penalty(18));  // (16 - 18) / 4
        assertEquals(-0.75, penalty.penalty(19)); // (16 - 19) / 4
        assertEquals(-1.0, penalty.penalty(20));  // (16 - 20) / 4: the ramp reaches -1 exactly at L_max
    }

    @Test
    void fullPenaltyBeyondMaxLength() {
        assertEquals(-1.0, penalty.penalty(21));
        assertEquals(-1.0, penalty.penalty(1_000_000));
    }

    @Test
    void factorScalesThePenalty() {
        OverlongPenalty half = new OverlongPenalty(20, 4, 0.5);
        assertEquals(0.0, half.penalty(16));
        assertEquals(-0.25, half.penalty(18)); // (16 - 18) / 4 * 0.5
        assertEquals(-0.5, half.penalty(20));
        assertEquals(-0.5, half.penalty(25));
    }

    @Test
    void dapoDefaults() {
        OverlongPenalty dapo = OverlongPenalty.dapoDefaults();
        assertEquals(20480, dapo.maxLength());
        assertEquals(4096, dapo.buffer());
        assertEquals(1.0, dapo.factor());
        assertEquals(0.0, dapo.penalty(16384));     // 20480 - 4096
        assertEquals(-0.5, dapo.penalty(18432));    // (16384 - 18432) / 4096
        assertEquals(-1.0, dapo.penalty(20480));
        assertEquals(-1.0, dapo.penalty(20481));
    }

    @Test
    void bufferAsWideAsMaxLengthRampsFromZero() {
        OverlongPenalty whole = new OverlongPenalty(4, 4, 1.0);
        assertEquals(0.0, whole.penalty(0));
        assertEquals(-0.25, whole.penalty(1));
        assertEquals(-1.0, whole.penalty(4));
    }

    @Test
    void rejectsImpossibleSettings() {
        assertThrows(IllegalArgumentException.class, () -> new OverlongPenalty(0, 1, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new OverlongPenalty(20, 0, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new OverlongPenalty(20, 21, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new OverlongPenalty(20, 4, -1.0));
        assertThrows(IllegalArgumentException.class, () -> new OverlongPenalty(20, 4, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> penalty.penalty(-1));
    }
}
