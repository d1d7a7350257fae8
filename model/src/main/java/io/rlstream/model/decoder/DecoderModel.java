package io.rlstream.model.decoder;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import io.rlstream.model.hf.DecoderConfig;
import io.rlstream.model.safetensors.Dtype;
import io.rlstream.model.safetensors.SafetensorsCheckpoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A Hugging Face decoder model held in DJL: its {@link DecoderConfig}, the {@link DecoderNetwork}
 * and the DJL {@link Model} owning the parameters. Loaded from a model folder (config.json plus
 * model.safetensors or shards with the index), created with random weights, saved back in the same
 * layout. The parameters live on one device: the {@code model.device} setting
 * ({@link ModelDevice#configured()}, CPU by default) unless one is given. Not thread-safe.
 */
public final class DecoderModel implements AutoCloseable {

    /** Shards are cut above this size when saving, as transformers' default max_shard_size. */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

    private final DecoderConfig config;
    private final Model model;
    private final DecoderNetwork network;
    private final ParameterStore parameterStore;

    private static final String ENGINE = "PyTorch";

    private DecoderModel(DecoderConfig config, Device device) {
        this.config = config;
        this.network = new DecoderNetwork(config);
        this.model = Model.newInstance("decoder", device, ENGINE);
        model.setBlock(network);
        network.initialize(model.getNDManager(), DataType.FLOAT32, DecoderNetwork.inputShapes(1));
        this.parameterStore = new ParameterStore(model.getNDManager(), false);
    }

    /** A model of this config with seeded random weights (N(0, 0.02²), norms 1, biases 0). */
    public static DecoderModel create(DecoderConfig config, long seed) {
        return create(config, seed, configuredDevice());
    }

    /** A model of this config with seeded random weights on {@code device}. */
    public static DecoderModel create(DecoderConfig config, long seed, Device device) {
        DecoderModel m = new DecoderModel(config, device);
        DecoderWeights.initialize(m.network, 0.02, seed);
        return m;
    }

    /** Reads config.json and the weights of a Hugging Face model folder. */
    public static DecoderModel load(Path dir) throws IOException {
        return load(dir, configuredDevice());
    }

    /** Reads config.json and the weights of a Hugging Face model folder onto {@code device}. */
    public static DecoderModel load(Path dir, Device device) throws IOException {
        DecoderConfig config = DecoderConfig.read(dir);
        DecoderModel m = new DecoderModel(config, device);
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(dir)) {
            DecoderWeights.load(m.network, checkpoint);
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
        return m;
    }

    /**
     * Writes config.json (torch_dtype set to what is stored) and the weights as {@code dtype},
     * sharded above {@code maxShardBytes}.
     */
    public void save(Path dir, Dtype dtype, long maxShardBytes) throws IOException {
        DecoderWeights.save(network, dir, dtype, maxShardBytes);
        config.withTorchDtype(dtype == Dtype.BF16 ? "bfloat16" : "float32").write(dir);
    }

    /** The device of the {@code model.device} setting ({@link ModelDevice#configured()}). */
    public static Device configuredDevice() {
        return ModelDevice.configured().resolve(Engine.getEngine(ENGINE));
    }

    public DecoderConfig config() {
        return config;
    }

    /** The device the parameters live on. */
    public Device device() {
        return model.getNDManager().getDevice();
    }

    public DecoderNetwork network() {
        return network;
    }

    public Model model() {
        return model;
    }

    public ParameterStore parameterStore() {
        return parameterStore;
    }

    /** A sub-manager of the model's, for the arrays of one step. */
    public NDManager newScope() {
        return model.getNDManager().newSubManager();
    }

    /**
     * Logits (B, T, V) of rows left-padded to the longest, computed in {@code scope}; row r's real
     * positions are the last {@code rows[r].length}.
     */
    public NDArray logits(NDManager scope, int[][] rows, int padId, boolean training) {
        DecoderInputs inputs = DecoderInputs.leftPadded(scope, rows, padId);
        return network.forward(parameterStore, inputs.toList(), training).head();
    }

    /** Every parameter's values, by transformers name (a copy, for tests and inspection). */
    public List<String> parameterNames() {
        return List.copyOf(network.parametersByHfName().keySet());
    }

    @Override
    public void close() {
        model.close();
    }
}
