package io.rlstream.model.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Against PyTorch: {@code torch-rounding.safetensors} was written by
 * {@code model/src/test/python/make_safetensors_golden.py} with torch 1.13 (its BF16 tensor is
 * torch's fp32 → bfloat16 conversion, its F16 tensor torch's half values, each with torch's own
 * widening to fp32 next to it).
 */
class SafetensorsGoldenTest {

    static Path resource(String name) throws URISyntaxException {
        return Path.of(SafetensorsGoldenTest.class.getResource("/safetensors/" + name).toURI());
    }

    @Test
    void bf16RoundingAndWideningMatchTorch() throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(resource("torch-rounding.safetensors"))) {
            assertEquals("pt", f.metadata().get("format"));
            float[] source = f.floats("source_f32");
            ByteBuffer torchBits = f.bytes("torch_bf16");
            float[] torchWidened = f.floats("bf16_widened_f32");
            float[] read = f.floats("torch_bf16");
            assertEquals(Dtype.BF16, f.info("torch_bf16").dtype());
            assertTrue(source.length > 200);
            for (int i = 0; i < source.length; i++) {
                int expected = torchBits.getShort(2 * i) & 0xFFFF;
                assertEquals(expected, FloatFormats.floatToBf16(source[i]) & 0xFFFF,
                        "fp32 bits " + Integer.toHexString(Float.floatToRawIntBits(source[i])));
                assertEquals(Float.floatToRawIntBits(torchWidened[i]), Float.floatToRawIntBits(read[i]));
            }
        }
    }

    @Test
    void f16WideningMatchesTorch() throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(resource("torch-rounding.safetensors"))) {
            float[] read = f.floats("f16_sample");
            float[] torchWidened = f.floats("f16_sample_widened_f32");
            assertEquals(Dtype.F16, f.info("f16_sample").dtype());
            assertTrue(read.length > 1000);
            for (int i = 0; i < read.length; i++) {
                assertEquals(Float.floatToRawIntBits(torchWidened[i]), Float.floatToRawIntBits(read[i]),
                        "element " + i);
            }
        }
    }
}
