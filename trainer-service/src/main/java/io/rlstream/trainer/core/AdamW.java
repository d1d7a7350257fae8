package io.rlstream.trainer.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * AdamW (Loshchilov and Hutter, "Decoupled Weight Decay Regularization", arXiv 1711.05101) whose
 * state can be written to and read from a checkpoint. DJL's {@code Optimizer.adamW()} keeps its
 * moments private, so a trainer restarted with it starts Adam again from zero moments, and a fresh
 * Adam's first steps move every weight by about ±lr whatever its gradient (see
 * {@link TrainerConfig#warmupSteps()}).
 *
 * <p>The update is the one DJL 0.36's {@code Optimizer.adamW()} applies on the PyTorch engine, in
 * the same order and in float32, so swapping one for the other changes no number beyond rounding.
 * For parameter w with gradient g at its t-th update (t = 1, 2, …) and learning rate η:
 * <pre>
 *   w ← w − η·λ·w                                    decoupled weight decay (λ = weightDecay)
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   w ← w − η·√(1 − β2^t)/(1 − β1^t) · m / (√v + ε)
 * </pre>
 * The bias correction is folded into the step size (Kingma and Ba, arXiv 1412.6980, end of §2),
 * so ε is added to √v rather than to √v̂ as in PyTorch's {@code torch.optim.AdamW}; the two differ
 * only where √v is comparable to ε.
 *
 * <p>Step counts are kept per parameter, like PyTorch's {@code state['step']}: a parameter's bias
 * correction uses the number of updates its own moments have seen. When every parameter is
 * updated once per optimizer step (as {@link PolicyTrainer} does), all counts are equal and equal
 * to DJL's single global count; {@link #steps()} is then the number of optimizer steps taken.
 *
 * <p>Gradients are read, never modified or zeroed: zero them after the update as before.
 *
 * <p>Memory: the moments live in the {@link NDManager} given at construction, or, without one, in
 * the manager of the parameter they belong to (the model's, for a {@code Policy}'s parameters);
 * either must outlive this optimizer. The arithmetic of an update runs in a sub-manager closed at
 * its end, so an update leaves no array behind. {@link #close()} frees the moments.
 *
 * <p>Not thread-safe, like the trainer that owns it.
 */
public final class AdamW implements AutoCloseable {

    /** Adam's defaults (Kingma and Ba, arXiv 1412.6980, Algorithm 1), also DJL's and PyTorch's. */
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPSILON = 1e-8;

    static final String MEAN_PREFIX = "m.";
    static final String VARIANCE_PREFIX = "v.";
    static final String STEPS_PREFIX = "t.";

    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final NDManager manager;
    private final Map<String, State> states = new LinkedHashMap<>();

    /** The moments of one parameter and the number of updates they have seen. */
    private static final class State {
        final NDArray mean;
        final NDArray variance;
        long steps;

        State(NDArray mean, NDArray variance, long steps) {
            this.mean = mean;
            this.variance = variance;
            this.steps = steps;
        }
    }

    /** Moments are kept in the manager of the parameter they belong to. */
    public AdamW(double beta1, double beta2, double epsilon, double weightDecay) {
        this(beta1, beta2, epsilon, weightDecay, null);
    }

    /**
     * @param manager where the moments live; must outlive this optimizer (for example
     *     {@code policy.model().getNDManager()}); {@code null} keeps each parameter's moments in
     *     that parameter's manager
     */
    public AdamW(double beta1, double beta2, double epsilon, double weightDecay, NDManager manager) {
        require(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1)", beta1);
        require(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1)", beta2);
        require(epsilon > 0, "epsilon must be > 0", epsilon);
        require(weightDecay >= 0 && Double.isFinite(weightDecay), "weightDecay must be >= 0 and finite",
                weightDecay);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        this.manager = manager;
    }

    /** AdamW with Adam's default β1, β2 and ε and the weight decay of {@code config}. */
    public static AdamW of(TrainerConfig config, NDManager manager) {
        return new AdamW(DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON, config.weightDecay(), manager);
    }

    /**
     * One AdamW update of {@code weight}, in place, outside any gradient recording.
     *
     * @param parameterName the key of this parameter's moments; the same name on every step and
     *     in every checkpoint (use the policy's parameter names)
     * @param gradient same shape as {@code weight}; read only
     * @param learningRate η of this step, for example {@link LearningRateSchedule#at}
     */
    public void update(String parameterName, NDArray weight, NDArray gradient, float learningRate) {
        if (!Float.isFinite(learningRate) || learningRate < 0) {
            throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + learningRate
                    + " for parameter '" + parameterName + "'");
        }
        if (!gradient.getShape().equals(weight.getShape())) {
            throw new IllegalArgumentException("gradient of parameter '" + parameterName + "' has shape "
                    + gradient.getShape() + " but the parameter has " + weight.getShape());
        }
        State state = states.get(parameterName);
        if (state == null) {
            NDManager home = manager != null ? manager : weight.getManager();
            state = new State(home.zeros(weight.getShape(), weight.getDataType(), weight.getDevice()),
                    home.zeros(weight.getShape(), weight.getDataType(), weight.getDevice()), 0);
            states.put(parameterName, state);
        } else if (!state.mean.getShape().equals(weight.getShape())) {
            throw new IllegalArgumentException("optimizer state of parameter '" + parameterName + "' has shape "
                    + state.mean.getShape() + " but the parameter has " + weight.getShape()
                    + ": the optimizer state belongs to another network; start it fresh or load the matching one");
        }
        state.steps++;
        // As DJL: the betas are float32 and the bias correction is computed in double from them.
        float b1 = (float) beta1;
        float b2 = (float) beta2;
        double correction1 = 1.0 - Math.pow(b1, state.steps);
        double correction2 = 1.0 - Math.pow(b2, state.steps);
        float stepSize = (float) (learningRate * Math.sqrt(correction2) / correction1);
        try (NDManager scope = weight.getManager().newSubManager()) {
            // Results of operations belong to their first operand's manager: attached here for
            // the update, every temporary is freed with the scope and the operands go back home.
            scope.tempAttachAll(weight, gradient, state.mean, state.variance);
            if (weightDecay != 0) {
                weight.subi(weight.mul(learningRate).muli((float) weightDecay));
            }
            state.mean.muli(b1).addi(gradient.mul(1 - b1));
            state.variance.muli(b2).addi(gradient.square().muli(1 - b2));
            weight.subi(state.mean.mul(stepSize).divi(state.variance.sqrt().addi((float) epsilon)));
        }
    }

    /** Optimizer steps taken: the largest per-parameter update count (0 when fresh). */
    public long steps() {
        long most = 0;
        for (State state : states.values()) {
            most = Math.max(most, state.steps);
        }
        return most;
    }

    /** Updates the moments of {@code parameterName} have seen, 0 if none. */
    public long steps(String parameterName) {
        State state = states.get(parameterName);
        return state == null ? 0 : state.steps;
    }

    /** Names of the parameters with moments, sorted. */
    public Set<String> parameterNames() {
        return Collections.unmodifiableSet(new TreeSet<>(states.keySet()));
    }

    public double beta1() {
        return beta1;
    }

    public double beta2() {
        return beta2;
    }

    public double epsilon() {
        return epsilon;
    }

    public double weightDecay() {
        return weightDecay;
    }

    /**
     * Writes the state as safetensors: for each parameter {@code m.<name>} and {@code v.<name>}
     * (the moments, in the parameter's dtype) and {@code t.<name>} (its update count, int64 of
     * shape (1)). The hyperparameters are not in the file: they are configuration (the checkpoint's
     * trainer-config.json records them). The file is flushed to disk before this returns.
     */
    public void save(Path file) {
        NDManager home = manager;
        if (home == null && !states.isEmpty()) {
            home = states.values().iterator().next().mean.getManager();
        }
        try (NDManager scope = home == null ? NDManager.newBaseManager() : home.newSubManager()) {
            NDList named = new NDList();
            for (Map.Entry<String, State> entry : new TreeMap<>(states).entrySet()) {
                State state = entry.getValue();
                named.add(named(state.mean.duplicate(), scope, MEAN_PREFIX + entry.getKey()));
                named.add(named(state.variance.duplicate(), scope, VARIANCE_PREFIX + entry.getKey()));
                named.add(named(scope.create(new long[] {state.steps}), scope, STEPS_PREFIX + entry.getKey()));
            }
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (FileOutputStream out = new FileOutputStream(file.toFile())) {
                named.encode(out, NDList.Encoding.SAFETENSORS);
                out.getFD().sync();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write optimizer state to " + file, e);
        }
    }

    /**
     * Replaces the whole state with the one {@link #save} wrote: moments and update counts of every
     * parameter in the file; parameters not in the file start fresh. The moments are created in
     * {@code manager}, which must outlive this optimizer. A file whose moments do not fit the
     * parameters fails at the first {@link #update} of the mismatched parameter.
     *
     * @throws IllegalArgumentException if the file lacks a tensor or holds one this class did not write
     */
    public void load(Path file, NDManager manager) {
        NDList arrays;
        try (InputStream in = Files.newInputStream(file)) {
            arrays = NDList.decode(manager, in);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no optimizer state at " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read optimizer state from " + file, e);
        }
        Map<String, NDArray> byName = new HashMap<>();
        for (NDArray array : arrays) {
            byName.put(array.getName(), array);
        }
        Map<String, State> loaded = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (String name : new TreeSet<>(byName.keySet())) {
            if (name == null || !name.startsWith(MEAN_PREFIX)) {
                if (name == null || !(name.startsWith(VARIANCE_PREFIX) || name.startsWith(STEPS_PREFIX))) {
                    problems.add("unexpected tensor '" + name + "'");
                }
                continue;
            }
            String parameter = name.substring(MEAN_PREFIX.length());
            NDArray mean = byName.get(name);
            NDArray variance = byName.get(VARIANCE_PREFIX + parameter);
            NDArray steps = byName.get(STEPS_PREFIX + parameter);
            if (variance == null || steps == null) {
                problems.add("parameter '" + parameter + "' lacks " + (variance == null ? VARIANCE_PREFIX : STEPS_PREFIX)
                        + parameter);
                continue;
            }
            if (!variance.getShape().equals(mean.getShape()) || steps.size() != 1) {
                problems.add("parameter '" + parameter + "' has moments of shapes " + mean.getShape() + " and "
                        + variance.getShape() + " and a step count of shape " + steps.getShape());
                continue;
            }
            loaded.put(parameter, new State(mean, variance, steps.toType(DataType.INT64, false).toLongArray()[0]));
        }
        for (String name : byName.keySet()) {
            if (name != null && (name.startsWith(VARIANCE_PREFIX) || name.startsWith(STEPS_PREFIX))) {
                String parameter = name.substring(2);
                if (!byName.containsKey(MEAN_PREFIX + parameter)) {
                    problems.add("parameter '" + parameter + "' lacks " + MEAN_PREFIX + parameter);
                }
            }
        }
        if (!problems.isEmpty()) {
            arrays.close();
            throw new IllegalArgumentException("optimizer state " + file + " is not one AdamW.save wrote: "
                    + String.join("; ", problems));
        }
        for (NDArray array : arrays) {
            if (array.getName().startsWith(STEPS_PREFIX)) {
                array.close();
            }
        }
        close();
        states.putAll(loaded);
    }

    /** Frees the moments; the optimizer is then fresh (all counts 0) and may be used again. */
    @Override
    public void close() {
        for (State state : states.values()) {
            state.mean.close();
            state.variance.close();
        }
        states.clear();
    }

    private static NDArray named(NDArray array, NDManager scope, String name) {
        array.attach(scope);
        array.setName(name);
        return array;
    }

    private static void require(boolean ok, String message, double value) {
        if (!ok) {
            throw new IllegalArgumentException(message + ", got " + value);
        }
    }
}
