package io.rlstream.model.safetensors;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of a Hugging Face model folder: {@code model.safetensors}, or the shards named by
 * {@code model.safetensors.index.json} ({@code weight_map}: tensor name → shard file), or a single
 * safetensors file given directly. As transformers does, a folder with {@code model.safetensors}
 * is read from that file even if an index is present.
 *
 * <p>Opening validates every shard's header and checks that each tensor the index names is in
 * its shard; tensor data is mapped on demand by {@link #floats}. Tensors a shard holds but the index
 * does not name are not visible (transformers does not load them either).
 */
public final class SafetensorsCheckpoint implements AutoCloseable {

    private final Path source;
    private final Map<String, SafetensorsFile> fileOf;
    private final List<SafetensorsFile> files;

    private SafetensorsCheckpoint(Path source, Map<String, SafetensorsFile> fileOf, List<SafetensorsFile> files) {
        this.source = source;
        this.fileOf = fileOf;
        this.files = files;
    }

    /** Opens a model folder or a single {@code .safetensors} file. */
    public static SafetensorsCheckpoint open(Path path) throws IOException {
        if (Files.isRegularFile(path)) {
            return single(path, SafetensorsFile.open(path));
        }
        if (!Files.isDirectory(path)) {
            throw new java.nio.file.NoSuchFileException(path.toString(), null,
                    "no model folder or safetensors file");
        }
        Path single = path.resolve(SafetensorsWriter.SINGLE_FILE);
        if (Files.isRegularFile(single)) {
            return single(path, SafetensorsFile.open(single));
        }
        Path index = path.resolve(SafetensorsWriter.INDEX_FILE);
        if (!Files.isRegularFile(index)) {
            throw new java.nio.file.NoSuchFileException(path.toString(), null, "holds neither "
                    + SafetensorsWriter.SINGLE_FILE + " nor " + SafetensorsWriter.INDEX_FILE);
        }
        return sharded(path, index);
    }

    private static SafetensorsCheckpoint single(Path source, SafetensorsFile file) {
        Map<String, SafetensorsFile> fileOf = new LinkedHashMap<>();
        for (String name : file.names()) {
            fileOf.put(name, file);
        }
        return new SafetensorsCheckpoint(source, fileOf, List.of(file));
    }

    private static SafetensorsCheckpoint sharded(Path dir, Path index) throws IOException {
        Map<String, String> weightMap = readWeightMap(index);
        Map<String, SafetensorsFile> byFile = new LinkedHashMap<>();
        Map<String, SafetensorsFile> fileOf = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                String fileName = e.getValue();
                SafetensorsFile shard = byFile.get(fileName);
                if (shard == null) {
                    Path file = dir.resolve(fileName).normalize();
                    if (!file.getParent().equals(dir.normalize())) {
                        throw new SafetensorsFormatException(index + ": weight_map entry '" + e.getKey()
                                + "' names '" + fileName + "', which is not a file of the model folder");
                    }
                    if (!Files.isRegularFile(file)) {
                        throw new SafetensorsFormatException(index + ": weight_map entry '" + e.getKey()
                                + "' names '" + fileName + "', which does not exist");
                    }
                    shard = SafetensorsFile.open(file);
                    byFile.put(fileName, shard);
                }
                if (!shard.contains(e.getKey())) {
                    throw new SafetensorsFormatException(index + ": weight_map puts tensor '" + e.getKey()
                            + "' in " + fileName + ", which has no such tensor");
                }
                fileOf.put(e.getKey(), shard);
            }
        } catch (IOException | RuntimeException e) {
            for (SafetensorsFile f : byFile.values()) {
                f.close();
            }
            throw e;
        }
        return new SafetensorsCheckpoint(dir, fileOf, new ArrayList<>(byFile.values()));
    }

    private static Map<String, String> readWeightMap(Path index) throws IOException {
        JsonElement root;
        try {
            root = JsonParser.parseString(Files.readString(index, StandardCharsets.UTF_8));
        } catch (JsonParseException e) {
            throw new SafetensorsFormatException(index + ": not valid JSON: " + e.getMessage(), e);
        }
        if (!root.isJsonObject() || !root.getAsJsonObject().has("weight_map")
                || !root.getAsJsonObject().get("weight_map").isJsonObject()) {
            throw new SafetensorsFormatException(index + ": no weight_map object");
        }
        JsonObject map = root.getAsJsonObject().getAsJsonObject("weight_map");
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : map.entrySet()) {
            if (!e.getValue().isJsonPrimitive() || !e.getValue().getAsJsonPrimitive().isString()) {
                throw new SafetensorsFormatException(index + ": weight_map value of '" + e.getKey()
                        + "' is not a file name");
            }
            out.put(e.getKey(), e.getValue().getAsString());
        }
        return out;
    }

    /** The folder or file this was opened from. */
    public Path source() {
        return source;
    }

    /** The weight files, in the order first referenced. */
    public List<SafetensorsFile> files() {
        return Collections.unmodifiableList(files);
    }

    /** Tensor names, in index (or header) order. */
    public List<String> names() {
        return List.copyOf(fileOf.keySet());
    }

    public boolean contains(String name) {
        return fileOf.containsKey(name);
    }

    /** The header entry of {@code name}. */
    public TensorInfo info(String name) {
        return file(name).info(name);
    }

    /** The file holding {@code name}. */
    public SafetensorsFile file(String name) {
        SafetensorsFile f = fileOf.get(name);
        if (f == null) {
            throw new IllegalArgumentException(source + ": no tensor '" + name + "'");
        }
        return f;
    }

    /** A floating-point tensor as fp32 (see {@link SafetensorsFile#floats}). */
    public float[] floats(String name) throws IOException {
        return file(name).floats(name);
    }

    /** Sum of the tensors' byte sizes. */
    public long totalBytes() {
        long total = 0;
        for (String name : fileOf.keySet()) {
            total += info(name).byteSize();
        }
        return total;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (SafetensorsFile f : files) {
            try {
                f.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
