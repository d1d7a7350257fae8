package io.rlstream.model;

import io.rlstream.model.nn.GptShape;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Shape of the GPT-style policy network.
 *
 * @param vocabSize number of token ids (see {@link CharTokenizer#vocabSize()})
 * @param contextLength longest sequence (prompt + response) the position table covers
 * @param embedDim width of the residual stream
 * @param layers number of decoder layers
 * @param heads attention heads per layer; must divide {@code embedDim}
 * @param mlpHidden hidden width of each layer's MLP
 */
public record PolicyConfig(
        int vocabSize, int contextLength, int embedDim, int layers, int heads, int mlpHidden)
        implements GptShape {

    private static final String PREFIX = "policy.";

    public PolicyConfig {
        require(vocabSize > 3, "vocabSize must exceed the 3 special tokens", vocabSize);
        require(contextLength > 1, "contextLength must be > 1", contextLength);
        require(layers > 0, "layers must be > 0", layers);
        require(heads > 0 && embedDim > 0 && embedDim % heads == 0,
                "embedDim must be a positive multiple of heads (" + heads + ")", embedDim);
        require(mlpHidden > 0, "mlpHidden must be > 0", mlpHidden);
    }

    /**
     * The tuned size for the addition demo: 2 layers of width 128, 4 heads, MLP 512 (about 400k
     * parameters). Width 64 was 2-3x cheaper per step but RL stalled near 30% from the same kind
     * of warm start; see model/README.md for the measurements behind the choice.
     */
    public static PolicyConfig demo() {
        return new PolicyConfig(CharTokenizer.arithmetic().vocabSize(), 16, 128, 2, 4, 512);
    }

    /** Flat string form, keys prefixed with {@code policy.}, for checkpoint metadata. */
    public Map<String, String> toMap() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put(PREFIX + "vocabSize", Integer.toString(vocabSize));
        map.put(PREFIX + "contextLength", Integer.toString(contextLength));
        map.put(PREFIX + "embedDim", Integer.toString(embedDim));
        map.put(PREFIX + "layers", Integer.toString(layers));
        map.put(PREFIX + "heads", Integer.toString(heads));
        map.put(PREFIX + "mlpHidden", Integer.toString(mlpHidden));
        return map;
    }

    /** Inverse of {@link #toMap()}; other keys in the map are ignored. */
    public static PolicyConfig fromMap(Map<String, String> map) {
        return new PolicyConfig(
                intValue(map, "vocabSize"),
                intValue(map, "contextLength"),
                intValue(map, "embedDim"),
                intValue(map, "layers"),
                intValue(map, "heads"),
                intValue(map, "mlpHidden"));
    }

    private static int intValue(Map<String, String> map, String name) {
        String value = map.get(PREFIX + name);
        if (value == null) {
            throw new IllegalArgumentException(
                    "policy config key '" + PREFIX + name + "' is missing; keys present: "
                            + map.keySet());
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "policy config key '" + PREFIX + name + "' must be an integer, got '"
                            + value + "'", e);
        }
    }

    private static void require(boolean ok, String message, int value) {
        if (!ok) {
            throw new IllegalArgumentException(message + ", got " + value);
        }
    }
}
