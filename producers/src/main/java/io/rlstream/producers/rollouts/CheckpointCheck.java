package io.rlstream.producers.rollouts;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.rlstream.events.CheckpointPublished;
import io.rlstream.model.Policy;
import io.rlstream.model.hf.DecoderConfig;
import io.rlstream.model.safetensors.SafetensorsCheckpoint;
import io.rlstream.model.safetensors.TensorInfo;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whether an announced checkpoint folder can replace the weights being served, checked before
 * anything is loaded so that a bad folder never leaves a model half-loaded: the URI is a local
 * folder that exists, its config.json describes the same network, its safetensors headers are
 * valid (a truncated file fails here), every tensor the model needs is there with the expected
 * shape and a floating-point dtype, and every weight is finite. Reads the whole checkpoint once.
 */
public final class CheckpointCheck {

    private final DecoderConfig config;
    private final Map<String, long[]> shapes;
    private final boolean allRequired;

    /**
     * @param config the served network's config
     * @param shapes expected tensor shapes by transformers name
     * @param allRequired true: each of {@code shapes} must be in the checkpoint (the local
     *     policy's parameters); false: those present must match (a reference folder's tensors,
     *     for a server that checks completeness itself)
     */
    public CheckpointCheck(DecoderConfig config, Map<String, long[]> shapes, boolean allRequired) {
        this.config = config;
        this.shapes = Map.copyOf(shapes);
        this.allRequired = allRequired;
    }

    /** What a checkpoint must be to replace {@code policy}'s weights in place. */
    public static CheckpointCheck of(Policy policy) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        policy.decoderModel().network().parametersByHfName()
                .forEach((name, p) -> shapes.put(name, p.getArray().getShape().getShape()));
        return new CheckpointCheck(policy.config(), shapes, true);
    }

    /** What a checkpoint must be to replace the model of the folder {@code reference} (its headers are read now). */
    public static CheckpointCheck ofFolder(Path reference) throws IOException {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(reference)) {
            for (String name : c.names()) {
                shapes.put(name, c.info(name).shape());
            }
        }
        return new CheckpointCheck(DecoderConfig.read(reference), shapes, false);
    }

    /**
     * The local folder of an announcement.
     *
     * @throws IllegalArgumentException when the URI is not a file URI or the folder does not exist
     */
    public static Path folder(CheckpointPublished checkpoint) {
        Path dir;
        try {
            dir = Path.of(URI.create(checkpoint.getUri()));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("uri '" + checkpoint.getUri() + "' is not a file URI: " + e.getMessage(), e);
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("checkpoint folder " + dir + " does not exist");
        }
        return dir;
    }

    /**
     * True when {@code checkpoint} names a local folder that is not there any more while the
     * checkpoint directory it was in is: the trainer keeps only its newest trainer.checkpoints.keep
     * folders, so an announcement read late may point at a folder that a newer checkpoint
     * superseded and retention deleted. That is no bad checkpoint (no dead letter): a newer
     * announcement follows. Asked after a load failed, so it also looks again a moment later,
     * because the trainer deletes a folder's files before the folder itself. A folder whose parent
     * is missing too (this worker does not see the trainer's storage, or a made-up path) and a URI
     * that is not a file URI are not "gone" but bad.
     */
    public static boolean folderGone(CheckpointPublished checkpoint) {
        Path dir;
        try {
            dir = Path.of(URI.create(checkpoint.getUri()));
        } catch (RuntimeException e) {
            return false;
        }
        Path parent = dir.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            return false;
        }
        if (!Files.exists(dir)) {
            return true;
        }
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !Files.exists(dir);
    }

    /**
     * Checks the folder of {@code checkpoint}.
     *
     * @return the folder
     * @throws IllegalArgumentException with what is wrong, naming the folder (and tensor)
     */
    public Path verify(CheckpointPublished checkpoint) {
        Path dir = folder(checkpoint);
        DecoderConfig stored;
        try {
            stored = DecoderConfig.read(dir);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read the config of " + dir + ": " + e.getMessage(), e);
        }
        if (!stored.withTorchDtype("float32").toJson().equals(config.withTorchDtype("float32").toJson())) {
            throw new IllegalArgumentException(dir + " has config " + stored.toJson() + " but the served model has "
                    + config.toJson());
        }
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
            for (String name : allRequired ? shapes.keySet() : c.names()) {
                long[] expected = shapes.get(name);
                if (!c.contains(name)) {
                    throw new IllegalArgumentException(dir + ": tensor '" + name + "' is missing");
                }
                TensorInfo info = c.info(name);
                if (expected != null && !Arrays.equals(info.shape(), expected)) {
                    throw new IllegalArgumentException(dir + ": tensor '" + name + "' has shape "
                            + Arrays.toString(info.shape()) + ", the model expects " + Arrays.toString(expected));
                }
                if (!info.dtype().isFloatingPoint()) {
                    if (expected == null) {
                        continue; // an integer buffer the model does not use
                    }
                    throw new IllegalArgumentException(dir + ": tensor '" + name + "' is " + info.dtype()
                            + ", not a floating-point type");
                }
                int bad = firstNonFinite(c.floats(name));
                if (bad >= 0) {
                    throw new IllegalArgumentException(dir + ": tensor '" + name + "' has a non-finite weight at index "
                            + bad);
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage() != null
                    && iae.getMessage().startsWith(dir.toString())) {
                throw iae;
            }
            throw new IllegalArgumentException("cannot read the weights of " + dir + ": " + e.getMessage(), e);
        }
        // Last, after the weights: a real folder announced under another version (issue 19's forged
        // high version) would make the worker ignore every real announcement below it.
        String storedVersion = io.rlstream.model.Policy.readMetadata(dir).get("version");
        if (storedVersion != null && !sameVersion(storedVersion, checkpoint.getVersion())) {
            throw new IllegalArgumentException(dir + " holds version " + storedVersion + " (its metadata.json) but was announced"
                    + " as version " + checkpoint.getVersion());
        }
        return dir;
    }

    /** metadata.json's version, written as a string ("12") or read back as a JSON number ("12.0"). */
    private static boolean sameVersion(String stored, long announced) {
        try {
            return Double.parseDouble(stored) == (double) announced;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The first parameter of {@code policy} with a NaN or infinite weight, as "name index i"; null when all are finite. */
    public static String nonFinite(Policy policy) {
        for (Pair<String, Parameter> p : policy.parameters()) {
            NDArray array = p.getValue().getArray();
            int bad = firstNonFinite(array.toFloatArray());
            if (bad >= 0) {
                return p.getKey() + " index " + bad;
            }
        }
        return null;
    }

    private static int firstNonFinite(float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                return i;
            }
        }
        return -1;
    }
}
