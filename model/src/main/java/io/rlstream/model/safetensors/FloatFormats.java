package io.rlstream.model.safetensors;

/**
 * Conversions between fp32 and the 16-bit float formats, done on bit patterns in Java: DJL 0.36's
 * PyTorch engine aborts the JVM on any bfloat16 tensor, and {@code Float.float16ToFloat} needs
 * Java 20.
 */
public final class FloatFormats {

    private FloatFormats() {}

    /** bfloat16 bits (low 16 bits of {@code bits}) to fp32: exact, bfloat16 is fp32's upper half. */
    public static float bf16ToFloat(int bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /**
     * fp32 to bfloat16 bits, rounding to nearest with ties to even, as PyTorch's
     * {@code c10::BFloat16} does: NaN becomes the quiet NaN 0x7FC0; values above the largest
     * bfloat16 round to infinity.
     */
    public static short floatToBf16(float value) {
        if (Float.isNaN(value)) {
            return (short) 0x7FC0;
        }
        int bits = Float.floatToRawIntBits(value);
        int roundingBias = ((bits >>> 16) & 1) + 0x7FFF;
        return (short) ((bits + roundingBias) >>> 16);
    }

    /** fp32 rounded to the nearest bfloat16 and back (what a BF16 checkpoint stores). */
    public static float roundToBf16(float value) {
        return bf16ToFloat(floatToBf16(value));
    }

    /**
     * IEEE 754 half-precision bits (low 16 bits of {@code bits}) to fp32, exactly: subnormals,
     * signed zeros, infinities and NaN payloads included.
     */
    public static float f16ToFloat(int bits) {
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0x1F) {
            // infinity (mantissa 0) or NaN (payload kept in the top mantissa bits)
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // zero or subnormal: mantissa * 2^-24, exact in fp32
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }
}
