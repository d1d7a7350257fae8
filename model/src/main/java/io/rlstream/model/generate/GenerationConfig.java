package io.rlstream.model.generate;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.rlstream.model.hf.DecoderConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A Hugging Face {@code generation_config.json}: the fields generation uses (each null when the
 * file does not set it) and the whole object, written back unchanged.
 *
 * <p>{@link #samplingParams} turns it into defaults the way vLLM does ({@code --generation-config
 * auto}): temperature, top_p and top_k taken from the file when present, otherwise 1, 1 and off;
 * {@code do_sample} is not consulted (transformers' {@code generate} would decode greedily when it
 * is false or absent, and would default top_k to 50). Stop token ids: the file's
 * {@code eos_token_id} (an int or a list), else config.json's.
 */
public record GenerationConfig(Integer bosTokenId, List<Integer> eosTokenIds, Integer padTokenId,
                               Boolean doSample, Double temperature, Double topP, Integer topK,
                               Integer maxNewTokens, JsonObject json) {

    public static final String FILE = "generation_config.json";

    public GenerationConfig {
        eosTokenIds = eosTokenIds == null ? List.of() : List.copyOf(eosTokenIds);
        json = json == null ? new JsonObject() : json.deepCopy();
    }

    @Override
    public JsonObject json() {
        return json.deepCopy();
    }

    /** No file: every field unset. */
    public static GenerationConfig empty() {
        return new GenerationConfig(null, List.of(), null, null, null, null, null, null, new JsonObject());
    }

    /** Reads {@code generation_config.json} of a model folder; {@link #empty} when there is none. */
    public static GenerationConfig read(Path dir) throws IOException {
        Path file = Files.isDirectory(dir) ? dir.resolve(FILE) : dir;
        if (!Files.exists(file)) {
            return empty();
        }
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    public static GenerationConfig parse(String text) {
        JsonElement root;
        try {
            root = JsonParser.parseString(text);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getMessage(), e);
        }
        if (!root.isJsonObject()) {
            throw new IllegalArgumentException("generation_config.json is not a JSON object");
        }
        JsonObject o = root.getAsJsonObject();
        List<Integer> eos = new ArrayList<>();
        JsonElement e = o.get("eos_token_id");
        if (e != null && !e.isJsonNull()) {
            if (e.isJsonArray()) {
                e.getAsJsonArray().forEach(x -> eos.add(integer(x, "eos_token_id")));
            } else {
                eos.add(integer(e, "eos_token_id"));
            }
        }
        Boolean doSample = o.has("do_sample") && !o.get("do_sample").isJsonNull()
                ? o.get("do_sample").getAsBoolean() : null;
        Integer maxNew = optionalInt(o, "max_new_tokens");
        return new GenerationConfig(optionalInt(o, "bos_token_id"), eos, optionalInt(o, "pad_token_id"),
                doSample, optionalDouble(o, "temperature"), optionalDouble(o, "top_p"),
                optionalInt(o, "top_k"), maxNew, o);
    }

    /**
     * Sampling defaults from this file (see the class comment); stop ids from it or else from
     * {@code config}; {@code maxNewTokens} given by the caller.
     */
    public SamplingParams samplingParams(DecoderConfig config, int maxNewTokens) {
        List<Integer> stops = !eosTokenIds.isEmpty() ? eosTokenIds
                : config == null ? List.of() : config.eosTokenIds();
        int[] stopIds = stops.stream().mapToInt(Integer::intValue).toArray();
        return new SamplingParams(temperature == null ? 1.0 : temperature, topP == null ? 1.0 : topP,
                topK == null ? 0 : topK, maxNewTokens, stopIds);
    }

    /** Writes the file (keys sorted, indent 2, as transformers writes it) atomically. */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, JsonElement> sorted = new TreeMap<>(json.asMap());
        JsonObject out = new JsonObject();
        sorted.forEach(out::add);
        String text = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create()
                .toJson(out) + "\n";
        Path tmp = dir.resolve("." + FILE + ".tmp-" + UUID.randomUUID());
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static Integer optionalInt(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : integer(e, key);
    }

    private static int integer(JsonElement e, String key) {
        try {
            double d = e.getAsDouble();
            if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(key + " is not an integer: " + e);
            }
            return (int) d;
        } catch (UnsupportedOperationException | NumberFormatException | IllegalStateException ex) {
            throw new IllegalArgumentException(key + " is not an integer: " + e, ex);
        }
    }

    private static Double optionalDouble(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        try {
            return e.getAsDouble();
        } catch (UnsupportedOperationException | NumberFormatException | IllegalStateException ex) {
            throw new IllegalArgumentException(key + " is not a number: " + e, ex);
        }
    }
}
