package io.rlstream.model.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.rlstream.model.hf.DecoderArchitecture;
import io.rlstream.model.hf.DecoderConfig;
import io.rlstream.testkit.FreedDirectMemory;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The decoder's gradients do not depend on what happens to Java direct memory between the forward
 * and the backward pass. Before io.rlstream.model.autograd.Scalars, the attention scale and the
 * SwiGLU's swish kept DJL scalar tensors over freed buffers in the graph, and a garbage collection
 * at the wrong moment gave gradient norms of 1e24 and NaNs in training (about one step in fifty in
 * the demo's trainer). Reference: the same model's gradient with nothing freed in between.
 */
class DecoderGradientUnderGcTest {

    private static final int[][] ROWS = {{1, 5, 9, 12, 7}, {1, 3}, {1, 30, 31, 8}};

    @BeforeAll
    static void oneThread() {
        DecoderGoldenTest.oneThread();
    }

    @ParameterizedTest
    @EnumSource(DecoderArchitecture.class)
    void gradientsAreTheSameWhenDirectMemoryIsFreedBeforeTheBackwardPass(DecoderArchitecture arch) {
        DecoderConfig config = DecoderConfig.of(arch, 40, 16, 24, 2, 4, 2, false).withTokenIds(1, List.of(2), 0);
        try (DecoderModel model = DecoderModel.create(config, 11)) {
            Map<String, float[]> clean = gradients(model, false);
            Map<String, float[]> freed = gradients(model, true);
            for (Map.Entry<String, float[]> e : clean.entrySet()) {
                float[] reference = e.getValue();
                boolean nonZero = false;
                for (float g : reference) {
                    nonZero |= g != 0;
                }
                assertTrue(nonZero, e.getKey() + " gets no gradient: the check would be empty");
                assertArrayEquals(reference, freed.get(e.getKey()), 1e-6f, e.getKey());
            }
        }
    }

    /** Gradient of Σ logits·w (w fixed) for every parameter; optionally frees direct memory after the forward. */
    private static Map<String, float[]> gradients(DecoderModel model, boolean freeBetween) {
        Map<String, float[]> out = new LinkedHashMap<>();
        Map<String, Parameter> params = model.network().parametersByHfName();
        List<ByteBuffer> filler = null;
        try (NDManager scope = model.newScope()) {
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.logits(scope, ROWS, 0, true);
                // a fixed weighting w = sin(0, 1, 2, ...), the same in both runs
                NDArray loss = logits.mul(scope.arange((float) logits.size()).reshape(logits.getShape()).sin()).sum();
                if (freeBetween) {
                    filler = FreedDirectMemory.freeAndOverwrite();
                }
                collector.backward(loss);
            }
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                NDArray array = e.getValue().getArray();
                NDArray g = array.getGradient();
                out.put(e.getKey(), g.toFloatArray());
                g.close();
                JniUtils.zeroGrad((PtNDArray) array);
            }
        }
        if (filler != null) {
            filler.clear();
        }
        return out;
    }
}
