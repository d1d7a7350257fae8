package io.rlstream.model.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** BF16 rounding and F16 widening on values worked out by hand. */
class SafetensorsFloatFormatsTest {

    private static int bf16(float v) {
        return FloatFormats.floatToBf16(v) & 0xFFFF;
    }

    private static int bf16Bits(int fp32Bits) {
        return bf16(Float.intBitsToFloat(fp32Bits));
    }

    @Test
    void bf16KeepsExactValues() {
        assertEquals(0x3F80, bf16(1.0f));
        assertEquals(0xC000, bf16(-2.0f));
        assertEquals(0x0000, bf16(0.0f));
        assertEquals(0x8000, bf16(-0.0f));
        assertEquals(0x7F80, bf16(Float.POSITIVE_INFINITY));
        assertEquals(0xFF80, bf16(Float.NEGATIVE_INFINITY));
    }

    @Test
    void bf16RoundsToNearest() {
        // 1/3 = 0x3EAAAAAB: the dropped half 0xAAAB is above 0x8000, so round up to 0x3EAB
        assertEquals(0x3EAAAAAB, Float.floatToRawIntBits(1f / 3));
        assertEquals(0x3EAB, bf16(1f / 3));
        // 0.33398438 = 0x3EAB0000 is what a BF16 file gives back for 1/3
        assertEquals(0.333984375f, FloatFormats.roundToBf16(1f / 3));
        // just below and just above a tie
        assertEquals(0x3F80, bf16Bits(0x3F807FFF));
        assertEquals(0x3F81, bf16Bits(0x3F808001));
    }

    @Test
    void bf16BreaksTiesToEven() {
        // 1 + 2^-8 = 0x3F808000 lies halfway between 0x3F80 (even) and 0x3F81: stays 0x3F80
        assertEquals(1.00390625f, Float.intBitsToFloat(0x3F808000));
        assertEquals(0x3F80, bf16(1.00390625f));
        // 0x3F818000 lies halfway between 0x3F81 (odd) and 0x3F82 (even): goes to 0x3F82
        assertEquals(0x3F82, bf16Bits(0x3F818000));
        assertEquals(0xBF82, bf16Bits(0xBF818000));
        // the largest finite fp32 rounds up to infinity, as in PyTorch
        assertEquals(0x7F80, bf16(Float.MAX_VALUE));
        // subnormals round like any other value: 2^-149 is 0x00000001 -> 0x0000
        assertEquals(0x0000, bf16(Float.MIN_VALUE));
        assertEquals(0x0002, bf16Bits(0x00018000));
    }

    @Test
    void bf16NanStaysNan() {
        assertEquals(0x7FC0, bf16(Float.NaN));
        assertTrue(Float.isNaN(FloatFormats.bf16ToFloat(0x7FC0)));
        assertTrue(Float.isNaN(FloatFormats.bf16ToFloat(0xFFFF)));
    }

    @Test
    void f16DecodesHandMadeBitPatterns() {
        assertEquals(1.0f, FloatFormats.f16ToFloat(0x3C00));
        assertEquals(-2.0f, FloatFormats.f16ToFloat(0xC000));
        // largest finite half: (2 - 2^-10) * 2^15
        assertEquals(65504.0f, FloatFormats.f16ToFloat(0x7BFF));
        // smallest normal 2^-14; smallest subnormal 2^-24; largest subnormal 1023 * 2^-24
        assertEquals(0x1p-14f, FloatFormats.f16ToFloat(0x0400));
        assertEquals(0x1p-24f, FloatFormats.f16ToFloat(0x0001));
        assertEquals(1023 * 0x1p-24f, FloatFormats.f16ToFloat(0x03FF));
        assertEquals(-0x1p-24f, FloatFormats.f16ToFloat(0x8001));
        // 0x3555 = 0 01101 0101010101 = (1 + 341/1024) * 2^-2
        assertEquals((1 + 341f / 1024) / 4, FloatFormats.f16ToFloat(0x3555));
        // signed zeros
        assertEquals(0x00000000, Float.floatToRawIntBits(FloatFormats.f16ToFloat(0x0000)));
        assertEquals(0x80000000, Float.floatToRawIntBits(FloatFormats.f16ToFloat(0x8000)));
        // infinities and NaN
        assertEquals(Float.POSITIVE_INFINITY, FloatFormats.f16ToFloat(0x7C00));
        assertEquals(Float.NEGATIVE_INFINITY, FloatFormats.f16ToFloat(0xFC00));
        assertTrue(Float.isNaN(FloatFormats.f16ToFloat(0x7E00)));
        assertTrue(Float.isNaN(FloatFormats.f16ToFloat(0x7C01)));
        // only the low 16 bits count (a short read from a buffer is sign-extended)
        assertEquals(-2.0f, FloatFormats.f16ToFloat((short) 0xC000));
    }
}
