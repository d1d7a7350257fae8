package io.rlstream.trainer.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.function.Function;

/**
 * Autograd against central finite differences, by default in float64 so that a step of 1e-6 still
 * resolves the loss; float32 needs steps near 1e-2 and tolerances near 1e-4. DJL allows one open {@link GradientCollector} per JVM: {@link #autograd} closes its own
 * before returning, and every call starts from a fresh array, so no gradient is carried over.
 */
public final class GradientCheck {

    private GradientCheck() {}

    /** d loss / d x by backpropagation; {@code loss} maps x to a scalar. */
    public static double[] autograd(NDManager manager, double[] x, Shape shape,
            Function<NDArray, NDArray> loss) {
        return autograd(manager, x, shape, DataType.FLOAT64, loss);
    }

    /** As {@link #autograd(NDManager, double[], Shape, Function)} with x of the given type. */
    public static double[] autograd(NDManager manager, double[] x, Shape shape, DataType type,
            Function<NDArray, NDArray> loss) {
        NDArray input = manager.create(x, shape).toType(type, false);
        input.setRequiresGradient(true);
        try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
            collector.backward(loss.apply(input));
        }
        return input.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
    }

    /** (loss(x + h·e_i) − loss(x − h·e_i)) / 2h for each coordinate i, without autograd. */
    public static double[] finiteDifference(NDManager manager, double[] x, Shape shape,
            Function<NDArray, NDArray> loss, double h) {
        return finiteDifference(manager, x, shape, DataType.FLOAT64, loss, h);
    }

    /** As {@link #finiteDifference(NDManager, double[], Shape, Function, double)} in the given type. */
    public static double[] finiteDifference(NDManager manager, double[] x, Shape shape,
            DataType type, Function<NDArray, NDArray> loss, double h) {
        double[] gradient = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double[] plus = x.clone();
            double[] minus = x.clone();
            plus[i] += h;
            minus[i] -= h;
            double up = value(loss.apply(manager.create(plus, shape).toType(type, false)));
            double down = value(loss.apply(manager.create(minus, shape).toType(type, false)));
            gradient[i] = (up - down) / (2 * h);
        }
        return gradient;
    }

    private static double value(NDArray scalar) {
        return scalar.toType(DataType.FLOAT64, false).getDouble();
    }
}
