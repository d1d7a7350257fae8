package io.rlstream.model.hf;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A Hugging Face {@code config.json} of a decoder-only model of model_type {@code llama},
 * {@code qwen2} or {@code qwen3}: the fields the forward pass needs, with transformers' defaults
 * and meanings (LlamaConfig, Qwen2Config, Qwen3Config), and the config's other keys kept in
 * {@link #extra} so that writing it back loses nothing.
 *
 * <p>Defaults, as transformers applies them: {@code num_key_value_heads} = heads; {@code head_dim}
 * = hidden / heads (qwen3: 128, the Qwen3Config default); {@code rope_theta} 10000;
 * {@code rms_norm_eps} 1e-6; {@code tie_word_embeddings} false; {@code attention_bias} false;
 * {@code max_position_embeddings} 2048 (llama) or 32768 (qwen2, qwen3). The sizes ({@code vocab_size},
 * {@code hidden_size}, {@code intermediate_size}, {@code num_hidden_layers},
 * {@code num_attention_heads}) are required: transformers' defaults for them describe 7B models.
 *
 * <p>Read as well: {@code rope_parameters} (transformers 5's replacement for {@code rope_theta} and
 * {@code rope_scaling}), {@code dtype} (newer name of {@code torch_dtype}), the legacy
 * {@code rope_scaling.type} key. Rejected with a clear error: other model types, rope scalings other
 * than llama3, an activation other than SiLU, {@code mlp_bias}, sliding-window attention, heads not
 * divisible by key/value heads, an odd head_dim.
 *
 * @param eosTokenIds config.json's {@code eos_token_id}, an int or a list (empty when null)
 * @param extra the keys of the source config.json this record does not model, written back as they were
 */
public record DecoderConfig(
        DecoderArchitecture architecture,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        int maxPositionEmbeddings,
        Integer bosTokenId,
        List<Integer> eosTokenIds,
        Integer padTokenId,
        String torchDtype,
        JsonObject extra) {

    /** Keys this record models; everything else in a config.json goes to {@link #extra}. */
    private static final Set<String> MODELED = Set.of("model_type", "architectures", "vocab_size",
            "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
            "num_key_value_heads", "head_dim", "rms_norm_eps", "rope_theta", "rope_scaling",
            "rope_parameters", "tie_word_embeddings", "attention_bias", "max_position_embeddings",
            "bos_token_id", "eos_token_id", "pad_token_id", "torch_dtype", "dtype");

    public DecoderConfig {
        Objects.requireNonNull(architecture, "architecture");
        eosTokenIds = eosTokenIds == null ? List.of() : List.copyOf(eosTokenIds);
        extra = extra == null ? new JsonObject() : extra.deepCopy();
        for (String key : MODELED) {
            extra.remove(key);
        }
        validate(architecture, vocabSize, hiddenSize, intermediateSize, numHiddenLayers,
                numAttentionHeads, numKeyValueHeads, headDim, rmsNormEps, ropeTheta, maxPositionEmbeddings);
    }

    @Override
    public JsonObject extra() {
        return extra.deepCopy();
    }

    /**
     * A config with transformers' defaults for everything but the sizes: head_dim = hidden / heads,
     * rope_theta 10000, rms_norm_eps 1e-6, no rope scaling, no biases beyond the architecture's own,
     * no special token ids, torch_dtype float32.
     */
    public static DecoderConfig of(DecoderArchitecture architecture, int vocabSize, int hiddenSize,
                                   int intermediateSize, int layers, int heads, int kvHeads,
                                   boolean tieWordEmbeddings) {
        if (heads <= 0 || hiddenSize % heads != 0) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize
                    + " is not divisible by num_attention_heads " + heads);
        }
        // the keys toJson adds, so that a written config reads back equal
        JsonObject extra = new JsonObject();
        extra.addProperty("hidden_act", "silu");
        extra.addProperty("use_cache", true);
        if (architecture != DecoderArchitecture.LLAMA) {
            extra.addProperty("use_sliding_window", false);
        }
        return new DecoderConfig(architecture, vocabSize, hiddenSize, intermediateSize, layers, heads,
                kvHeads, hiddenSize / heads, 1e-6, 10000.0, null, tieWordEmbeddings, false,
                architecture.defaultMaxPositions(), null, List.of(), null, "float32", extra);
    }

    private static void validate(DecoderArchitecture a, int vocab, int hidden, int intermediate, int layers,
                                 int heads, int kvHeads, int headDim, double eps, double theta, int maxPositions) {
        String where = a.modelType() + " config: ";
        positive(where, "vocab_size", vocab);
        positive(where, "hidden_size", hidden);
        positive(where, "intermediate_size", intermediate);
        positive(where, "num_hidden_layers", layers);
        positive(where, "num_attention_heads", heads);
        positive(where, "num_key_value_heads", kvHeads);
        positive(where, "head_dim", headDim);
        positive(where, "max_position_embeddings", maxPositions);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException(where + "num_attention_heads " + heads
                    + " is not divisible by num_key_value_heads " + kvHeads);
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException(where + "head_dim " + headDim
                    + " is odd: rotary embeddings rotate pairs of dimensions");
        }
        if (!(eps > 0) || !(theta > 0)) {
            throw new IllegalArgumentException(where + "rms_norm_eps " + eps + " and rope_theta " + theta
                    + " must be positive");
        }
    }

    private static void positive(String where, String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(where + name + " must be positive, got " + value);
        }
    }

    // ---- derived ---------------------------------------------------------------------------

    /** Whether q_proj, k_proj and v_proj have biases (always for qwen2). */
    public boolean qkvBias() {
        return architecture == DecoderArchitecture.QWEN2 || attentionBias;
    }

    /** Whether o_proj has a bias (llama and qwen3 with attention_bias; never qwen2). */
    public boolean outputBias() {
        return architecture != DecoderArchitecture.QWEN2 && attentionBias;
    }

    /** Whether attention has Qwen3's per-head q_norm and k_norm. */
    public boolean qkNorm() {
        return architecture == DecoderArchitecture.QWEN3;
    }

    /** Queries per key/value head (repeat_kv's n_rep). */
    public int kvGroups() {
        return numAttentionHeads / numKeyValueHeads;
    }

    /** Number of parameters, lm_head included only when untied. */
    public long parameterCount() {
        long h = hiddenSize;
        long q = (long) numAttentionHeads * headDim;
        long kv = (long) numKeyValueHeads * headDim;
        long attention = h * q + 2 * h * kv + q * h;
        if (qkvBias()) {
            attention += q + 2 * kv;
        }
        if (outputBias()) {
            attention += h;
        }
        if (qkNorm()) {
            attention += 2L * headDim;
        }
        long mlp = 3 * h * intermediateSize;
        long layer = attention + mlp + 2 * h;
        long embeddings = (long) vocabSize * h;
        return embeddings + numHiddenLayers * layer + h + (tieWordEmbeddings ? 0 : embeddings);
    }

    // ---- reading ---------------------------------------------------------------------------

    /** Reads {@code config.json} from a model folder, or the given file. */
    public static DecoderConfig read(Path path) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve("config.json") : path;
        String text = Files.readString(file, StandardCharsets.UTF_8);
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Parses the text of a config.json. */
    public static DecoderConfig parse(String json) {
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getMessage(), e);
        }
        if (!root.isJsonObject()) {
            throw new IllegalArgumentException("config.json is not a JSON object");
        }
        JsonObject o = root.getAsJsonObject();
        String modelType = string(o, "model_type");
        if (modelType == null) {
            throw new IllegalArgumentException("no model_type (expected one of llama, qwen2, qwen3)");
        }
        DecoderArchitecture a = DecoderArchitecture.ofModelType(modelType);
        if (a == null) {
            throw new IllegalArgumentException("model_type '" + modelType
                    + "' is not supported (supported: llama, qwen2, qwen3)");
        }
        String where = modelType + " config: ";
        String activation = string(o, "hidden_act");
        if (activation != null && !activation.equals("silu")) {
            throw new IllegalArgumentException(where + "hidden_act '" + activation
                    + "' is not supported (the SwiGLU MLP uses silu)");
        }
        if (bool(o, "mlp_bias", false)) {
            throw new IllegalArgumentException(where + "mlp_bias true is not supported");
        }
        if (bool(o, "use_sliding_window", false)) {
            throw new IllegalArgumentException(where + "use_sliding_window true is not supported");
        }
        int heads = requiredInt(o, "num_attention_heads", where);
        int hidden = requiredInt(o, "hidden_size", where);
        int headDim = a == DecoderArchitecture.QWEN3 ? optionalInt(o, "head_dim", 128, where)
                : optionalInt(o, "head_dim", heads > 0 ? hidden / heads : 0, where);

        double ropeTheta = number(o, "rope_theta", 10000.0, where);
        JsonElement scalingJson = o.get("rope_scaling");
        JsonElement parameters = o.get("rope_parameters");
        if (parameters != null && parameters.isJsonObject()) {
            // transformers 5: {"rope_type": ..., "rope_theta": ..., plus the scaling's keys}
            ropeTheta = number(parameters.getAsJsonObject(), "rope_theta", ropeTheta, where + "rope_parameters.");
            if (scalingJson == null || scalingJson.isJsonNull()) {
                scalingJson = parameters;
            }
        }
        RopeScaling scaling = ropeScaling(scalingJson, where);

        List<Integer> eos = new ArrayList<>();
        JsonElement eosJson = o.get("eos_token_id");
        if (eosJson != null && eosJson.isJsonArray()) {
            for (JsonElement e : eosJson.getAsJsonArray()) {
                eos.add(intValue(e, "eos_token_id", where));
            }
        } else if (eosJson != null && !eosJson.isJsonNull()) {
            eos.add(intValue(eosJson, "eos_token_id", where));
        }
        String dtype = string(o, "torch_dtype");
        if (dtype == null) {
            dtype = string(o, "dtype");
        }
        return new DecoderConfig(a,
                requiredInt(o, "vocab_size", where),
                hidden,
                requiredInt(o, "intermediate_size", where),
                requiredInt(o, "num_hidden_layers", where),
                heads,
                optionalInt(o, "num_key_value_heads", heads, where),
                headDim,
                number(o, "rms_norm_eps", 1e-6, where),
                ropeTheta,
                scaling,
                bool(o, "tie_word_embeddings", false),
                bool(o, "attention_bias", false),
                optionalInt(o, "max_position_embeddings", a.defaultMaxPositions(), where),
                nullableInt(o, "bos_token_id", where),
                eos,
                nullableInt(o, "pad_token_id", where),
                dtype,
                o);
    }

    private static RopeScaling ropeScaling(JsonElement json, String where) {
        if (json == null || json.isJsonNull()) {
            return null;
        }
        if (!json.isJsonObject()) {
            throw new IllegalArgumentException(where + "rope_scaling is not an object");
        }
        JsonObject s = json.getAsJsonObject();
        String type = string(s, "rope_type");
        if (type == null) {
            type = string(s, "type");
        }
        if (type == null || type.equals("default")) {
            return null;
        }
        if (!type.equals(RopeScaling.LLAMA3)) {
            throw new IllegalArgumentException(where + "rope_scaling type '" + type
                    + "' is not supported (supported: llama3)");
        }
        String w = where + "rope_scaling.";
        try {
            return new RopeScaling(requiredNumber(s, "factor", w), requiredNumber(s, "low_freq_factor", w),
                    requiredNumber(s, "high_freq_factor", w), requiredInt(s, "original_max_position_embeddings", w));
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith(where) ? e : new IllegalArgumentException(where + e.getMessage(), e);
        }
    }

    private static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException(key + " is not a string: " + e);
        }
        return e.getAsString();
    }

    private static boolean bool(JsonObject o, String key, boolean fallback) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new IllegalArgumentException(key + " is not a boolean: " + e);
        }
        return e.getAsBoolean();
    }

    private static int intValue(JsonElement e, String key, String where) {
        try {
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                throw new NumberFormatException();
            }
            return new BigDecimal(e.getAsString()).intValueExact();
        } catch (NumberFormatException | ArithmeticException ex) {
            throw new IllegalArgumentException(where + key + " is not an integer: " + e);
        }
    }

    private static int requiredInt(JsonObject o, String key, String where) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            throw new IllegalArgumentException(where + key + " is missing");
        }
        return intValue(e, key, where);
    }

    private static int optionalInt(JsonObject o, String key, int fallback, String where) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? fallback : intValue(e, key, where);
    }

    private static Integer nullableInt(JsonObject o, String key, String where) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : intValue(e, key, where);
    }

    private static double number(JsonObject o, String key, double fallback, String where) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException(where + key + " is not a number: " + e);
        }
        return e.getAsDouble();
    }

    private static double requiredNumber(JsonObject o, String key, String where) {
        if (!o.has(key) || o.get(key).isJsonNull()) {
            throw new IllegalArgumentException(where + key + " is missing");
        }
        return number(o, key, 0, where);
    }

    // ---- writing ---------------------------------------------------------------------------

    /**
     * The config.json transformers would write for this model: {@code architectures} and
     * {@code model_type}, every modeled field explicit, {@code hidden_act} "silu", the extra keys
     * of the source config, keys sorted, indented by 2 (as {@code PretrainedConfig.to_json_string}).
     */
    public JsonObject toJson() {
        Map<String, JsonElement> out = new TreeMap<>();
        for (Map.Entry<String, JsonElement> e : extra.entrySet()) {
            out.put(e.getKey(), e.getValue().deepCopy());
        }
        JsonArray architectures = new JsonArray();
        architectures.add(architecture.causalLmClass());
        out.put("architectures", architectures);
        out.put("model_type", new JsonPrimitive(architecture.modelType()));
        out.put("vocab_size", new JsonPrimitive(vocabSize));
        out.put("hidden_size", new JsonPrimitive(hiddenSize));
        out.put("intermediate_size", new JsonPrimitive(intermediateSize));
        out.put("num_hidden_layers", new JsonPrimitive(numHiddenLayers));
        out.put("num_attention_heads", new JsonPrimitive(numAttentionHeads));
        out.put("num_key_value_heads", new JsonPrimitive(numKeyValueHeads));
        out.put("head_dim", new JsonPrimitive(headDim));
        out.put("rms_norm_eps", new JsonPrimitive(rmsNormEps));
        out.put("rope_theta", new JsonPrimitive(ropeTheta));
        if (ropeScaling == null) {
            out.put("rope_scaling", JsonNull.INSTANCE);
        } else {
            JsonObject s = new JsonObject();
            s.addProperty("factor", ropeScaling.factor());
            s.addProperty("high_freq_factor", ropeScaling.highFreqFactor());
            s.addProperty("low_freq_factor", ropeScaling.lowFreqFactor());
            s.addProperty("original_max_position_embeddings", ropeScaling.originalMaxPositionEmbeddings());
            s.addProperty("rope_type", RopeScaling.LLAMA3);
            out.put("rope_scaling", s);
        }
        out.put("tie_word_embeddings", new JsonPrimitive(tieWordEmbeddings));
        if (architecture != DecoderArchitecture.QWEN2) {
            out.put("attention_bias", new JsonPrimitive(attentionBias));
        }
        out.put("max_position_embeddings", new JsonPrimitive(maxPositionEmbeddings));
        out.put("bos_token_id", bosTokenId == null ? JsonNull.INSTANCE : new JsonPrimitive(bosTokenId));
        if (eosTokenIds.isEmpty()) {
            out.put("eos_token_id", JsonNull.INSTANCE);
        } else if (eosTokenIds.size() == 1) {
            out.put("eos_token_id", new JsonPrimitive(eosTokenIds.get(0)));
        } else {
            JsonArray eos = new JsonArray();
            eosTokenIds.forEach(eos::add);
            out.put("eos_token_id", eos);
        }
        if (padTokenId != null) {
            out.put("pad_token_id", new JsonPrimitive(padTokenId));
        }
        out.put("torch_dtype", torchDtype == null ? JsonNull.INSTANCE : new JsonPrimitive(torchDtype));
        out.putIfAbsent("hidden_act", new JsonPrimitive("silu"));
        out.putIfAbsent("use_cache", new JsonPrimitive(true));
        if (architecture != DecoderArchitecture.LLAMA) {
            out.putIfAbsent("use_sliding_window", new JsonPrimitive(false));
        }
        JsonObject json = new JsonObject();
        out.forEach(json::add);
        return json;
    }

    /** {@link #toJson} as text, with a trailing newline. */
    public String toJsonString() {
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create()
                .toJson(toJson()) + "\n";
    }

    /** A copy with another {@code torch_dtype} (what a checkpoint's weights are stored as). */
    public DecoderConfig withTorchDtype(String dtype) {
        return new DecoderConfig(architecture, vocabSize, hiddenSize, intermediateSize, numHiddenLayers,
                numAttentionHeads, numKeyValueHeads, headDim, rmsNormEps, ropeTheta, ropeScaling,
                tieWordEmbeddings, attentionBias, maxPositionEmbeddings, bosTokenId, eosTokenIds, padTokenId,
                dtype, extra);
    }

    /** A copy with these special token ids. */
    public DecoderConfig withTokenIds(Integer bos, List<Integer> eos, Integer pad) {
        return new DecoderConfig(architecture, vocabSize, hiddenSize, intermediateSize, numHiddenLayers,
                numAttentionHeads, numKeyValueHeads, headDim, rmsNormEps, ropeTheta, ropeScaling,
                tieWordEmbeddings, attentionBias, maxPositionEmbeddings, bos, eos, pad, torchDtype, extra);
    }

    /** Writes {@code config.json} into {@code dir}, atomically (temporary file + rename). */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("config.json");
        Path tmp = dir.resolve(".config.json.tmp-" + UUID.randomUUID());
        try {
            Files.writeString(tmp, toJsonString(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
