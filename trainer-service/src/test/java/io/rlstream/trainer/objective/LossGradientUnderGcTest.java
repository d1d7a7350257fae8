package io.rlstream.trainer.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.rlstream.testkit.FreedDirectMemory;
import io.rlstream.trainer.core.ClippedSurrogate;
import io.rlstream.trainer.core.PolicyLoss;
import io.rlstream.trainer.core.SequenceClippedSurrogate;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Every loss's gradient with respect to the policy's log-probs is the same whether or not Java direct
 * memory is freed and overwritten between the forward and the backward pass (the DJL scalar bug that
 * io.rlstream.model.autograd.Scalars works around: a constant multiplied in with {@code mul(Number)}
 * was read back from freed memory, giving NaN or 1e24-sized gradients). Reference: the same loss's
 * gradient with nothing freed in between.
 */
class LossGradientUnderGcTest {

    private static final float[] LOGPROBS = {-0.2f, -1.5f, -0.7f, -2.0f, -0.1f, -0.9f, -3.0f, -0.4f};
    private static final float[] OLD = {-0.5f, -1.0f, -0.7f, -2.6f, -0.3f, -0.2f, -2.0f, -0.4f};
    private static final float[] REF = {-0.4f, -1.2f, -1.0f, -2.2f, -0.2f, -0.5f, -2.5f, -0.6f};
    private static final float[] MASK = {1, 1, 1, 0, 1, 1, 1, 1};
    private static final float[] ADVANTAGES = {1.5f, -0.8f, -1.2f, 0.5f};

    private record Arrays(NDArray logprobs, NDArray old, NDArray ref, NDArray mask, NDArray advantages) {}

    private static Map<String, Function<Arrays, NDArray>> losses() {
        Map<String, Function<Arrays, NDArray>> m = new LinkedHashMap<>();
        for (PolicyLoss.Aggregation aggregation : PolicyLoss.Aggregation.values()) {
            m.put("ppo-clip dual clip " + aggregation, a -> new ClippedSurrogate(0.2, 0.28, 3, aggregation)
                    .compute(a.logprobs, a.old, a.advantages, a.mask, null).loss());
            m.put("gspo " + aggregation, a -> new SequenceClippedSurrogate(3e-4, 4e-4, aggregation)
                    .compute(a.logprobs, a.old, a.advantages, a.mask, null).loss());
        }
        for (KlEstimator k : KlEstimator.values()) {
            m.put("kl " + k, a -> k.apply(a.logprobs, a.ref).mul(a.mask).sum());
        }
        for (PreferenceLoss.Kind kind : PreferenceLoss.Kind.values()) {
            m.put("preference " + kind, a -> {
                NDArray sums = a.logprobs.mul(a.mask).sum(new int[] {1}); // (4): pairs (0, 1) and (2, 3)
                NDArray refSums = a.ref.mul(a.mask).sum(new int[] {1});
                NDArray lengths = a.mask.sum(new int[] {1});
                return new PreferenceLoss(kind, 0.1, 0.5).compute(sums.get("0:2"), sums.get("2:4"), refSums.get("0:2"),
                        refSums.get("2:4"), lengths.get("0:2"), lengths.get("2:4")).loss();
            });
        }
        double[] rewards = {1, 0, 0, 1};
        int[] groups = {0, 0, 1, 1};
        m.put("nft", a -> new NegativeAwareFineTuning(0, 1, PolicyLoss.Aggregation.TOKEN_MEAN::apply)
                .compute(new GroupObjective.Input(a.logprobs, a.old, a.ref, a.mask, rewards, groups)).loss());
        m.put("lipo-lambda", a -> new LipoLambda(0.1)
                .compute(new GroupObjective.Input(a.logprobs, a.old, a.ref, a.mask, new double[] {1, 0, 0.5, 0}, groups))
                .loss());
        return m;
    }

    @Test
    void lossGradientsAreTheSameWhenDirectMemoryIsFreedBeforeTheBackwardPass() {
        for (Map.Entry<String, Function<Arrays, NDArray>> loss : losses().entrySet()) {
            float[] clean = gradient(loss.getValue(), false);
            boolean nonZero = false;
            for (float g : clean) {
                nonZero |= g != 0;
            }
            assertTrue(nonZero, loss.getKey() + ": no gradient, the check would be empty");
            assertArrayEquals(clean, gradient(loss.getValue(), true), 1e-7f, loss.getKey());
        }
    }

    private static float[] gradient(Function<Arrays, NDArray> loss, boolean freeBetween) {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Shape shape = new Shape(4, 2);
            NDArray logprobs = m.create(LOGPROBS, shape);
            logprobs.setRequiresGradient(true);
            Arrays a = new Arrays(logprobs, m.create(OLD, shape), m.create(REF, shape), m.create(MASK, shape),
                    m.create(ADVANTAGES, new Shape(4, 1)));
            List<ByteBuffer> filler = null;
            try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray value = loss.apply(a);
                if (freeBetween) {
                    filler = FreedDirectMemory.freeAndOverwrite();
                }
                collector.backward(value);
            }
            float[] g = logprobs.getGradient().toFloatArray();
            if (filler != null) {
                filler.clear();
            }
            return g;
        }
    }
}
