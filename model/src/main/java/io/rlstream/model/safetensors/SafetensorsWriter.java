package io.rlstream.model.safetensors;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Writes fp32 tensors as safetensors, stored as F32 or BF16 (rounded to nearest even, as PyTorch
 * rounds), in the layout of the reference implementation (huggingface/safetensors,
 * safetensors/src/tensor.rs {@code prepare}): tensors sorted by dtype alignment descending, then by
 * name; compact JSON header with {@code __metadata__} first, padded with spaces to a multiple of
 * 8 bytes so every tensor's data is aligned.
 *
 * <p>{@link #writeCheckpoint} writes a Hugging Face weights folder: {@code model.safetensors}, or
 * above {@code maxShardBytes} the shards {@code model-0000N-of-0000M.safetensors} and
 * {@code model.safetensors.index.json} ({@code {"metadata": {"total_size": bytes},
 * "weight_map": {name: file}}}, indented by 2 with sorted keys, as transformers writes it).
 * Tensors are split in insertion order (state-dict order) the way huggingface_hub's
 * {@code split_torch_state_dict_into_shards} splits them.
 *
 * <p>Every file is written to a temporary file in the same folder, forced to disk and renamed
 * over its target, so a reader sees the old file or the new one, never a partial one. Data is
 * streamed through a small buffer: nothing the size of the file is held in memory.
 */
public final class SafetensorsWriter {

    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";
    /** Shard files as transformers names them. */
    static final Pattern SHARD_NAME = Pattern.compile("model-\\d{5}-of-\\d{5}\\.safetensors");
    /** {@code {"format": "pt"}}: what transformers writes and what it checks on load. */
    public static final Map<String, String> PT_METADATA = Map.of("format", "pt");

    private static final Gson JSON = new GsonBuilder().disableHtmlEscaping().create();
    private static final int CHUNK_ELEMENTS = 1 << 16;

    private record Entry(String name, Dtype dtype, float[] data, long[] shape) {
        long byteSize() {
            return (long) data.length * dtype.size();
        }
    }

    private final Dtype defaultDtype;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    /** A writer storing tensors as {@code dtype}: {@link Dtype#F32} or {@link Dtype#BF16}. */
    public SafetensorsWriter(Dtype dtype) {
        this.defaultDtype = checkStorable(dtype);
    }

    private static Dtype checkStorable(Dtype dtype) {
        if (dtype != Dtype.F32 && dtype != Dtype.BF16) {
            throw new IllegalArgumentException("tensors are written as F32 or BF16, not " + dtype);
        }
        return dtype;
    }

    /** Adds a tensor stored as the writer's dtype. The array is kept, not copied. */
    public SafetensorsWriter add(String name, float[] data, long... shape) {
        return add(name, defaultDtype, data, shape);
    }

    /** Adds a tensor stored as {@code dtype} (F32 or BF16). The array is kept, not copied. */
    public SafetensorsWriter add(String name, Dtype dtype, float[] data, long... shape) {
        checkStorable(dtype);
        if (name.equals("__metadata__") || name.isEmpty()) {
            throw new IllegalArgumentException("invalid tensor name '" + name + "'");
        }
        if (entries.containsKey(name)) {
            throw new IllegalArgumentException("tensor '" + name + "' added twice");
        }
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': negative dimension in "
                        + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        if (n != data.length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                    + " has " + n + " elements, data has " + data.length);
        }
        entries.put(name, new Entry(name, dtype, data, shape.clone()));
        return this;
    }

    /** Number of tensors added. */
    public int size() {
        return entries.size();
    }

    /** Sum of the tensors' stored byte sizes (the index's {@code total_size}). */
    public long totalBytes() {
        return entries.values().stream().mapToLong(Entry::byteSize).sum();
    }

    /**
     * Writes every tensor to one file, atomically; {@code metadata} becomes {@code __metadata__}
     * (null: none).
     */
    public void writeFile(Path file, Map<String, String> metadata) throws IOException {
        writeFile(file, new ArrayList<>(entries.values()), metadata);
    }

    /**
     * Writes a Hugging Face weights folder into {@code dir} (created if missing) with
     * {@code __metadata__} {"format": "pt"}: one {@code model.safetensors} when the tensors fit in
     * {@code maxShardBytes}, otherwise shards and the index (written last). Weight files of a
     * previous layout left in {@code dir} (a single file when writing shards, an index or shards of
     * another count when writing one file) are deleted afterwards, because transformers prefers
     * {@code model.safetensors} to an index. Returns the weight files written, in order.
     */
    public List<Path> writeCheckpoint(Path dir, long maxShardBytes) throws IOException {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maxShardBytes must be positive: " + maxShardBytes);
        }
        Files.createDirectories(dir);
        List<List<Entry>> shards = split(maxShardBytes);
        List<Path> written = new ArrayList<>();
        if (shards.size() <= 1) {
            Path file = dir.resolve(SINGLE_FILE);
            writeFile(file, shards.isEmpty() ? List.of() : shards.get(0), PT_METADATA);
            written.add(file);
        } else {
            Map<String, String> weightMap = new TreeMap<>();
            for (int i = 0; i < shards.size(); i++) {
                String fileName = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
                Path file = dir.resolve(fileName);
                writeFile(file, shards.get(i), PT_METADATA);
                written.add(file);
                for (Entry e : shards.get(i)) {
                    weightMap.put(e.name(), fileName);
                }
            }
            JsonObject index = new JsonObject();
            JsonObject meta = new JsonObject();
            meta.addProperty("total_size", totalBytes());
            index.add("metadata", meta);
            index.add("weight_map", JSON.toJsonTree(weightMap));
            String text = new GsonBuilder().disableHtmlEscaping().setPrettyPrinting().create()
                    .toJson(index) + "\n";
            writeAtomically(dir.resolve(INDEX_FILE), text.getBytes(StandardCharsets.UTF_8));
        }
        deleteStaleWeights(dir, written);
        return written;
    }

    /** huggingface_hub's split: greedy in insertion order; a tensor above the limit gets its own shard. */
    private List<List<Entry>> split(long maxShardBytes) {
        List<List<Entry>> shards = new ArrayList<>();
        List<Entry> current = new ArrayList<>();
        long currentBytes = 0;
        for (Entry e : entries.values()) {
            long size = e.byteSize();
            if (size > maxShardBytes) {
                shards.add(List.of(e));
                continue;
            }
            if (currentBytes + size > maxShardBytes && !current.isEmpty()) {
                shards.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(e);
            currentBytes += size;
        }
        if (!current.isEmpty()) {
            shards.add(current);
        }
        return shards;
    }

    private static void deleteStaleWeights(Path dir, List<Path> written) throws IOException {
        List<Path> stale = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                boolean weights = name.equals(SINGLE_FILE) || SHARD_NAME.matcher(name).matches()
                        || (name.equals(INDEX_FILE) && written.size() == 1);
                if (weights && !written.contains(f)) {
                    stale.add(f);
                }
            }
        }
        for (Path f : stale) {
            Files.deleteIfExists(f);
        }
    }

    private static void writeFile(Path file, List<Entry> tensors, Map<String, String> metadata)
            throws IOException {
        List<Entry> sorted = new ArrayList<>(tensors);
        // Dtype's declaration order is the reference's alignment order: descending, then by name
        // (Rust compares strings by bytes; for UTF-16 Java strings that is code point order).
        sorted.sort(Comparator.comparing(Entry::dtype, Comparator.reverseOrder())
                .thenComparing(Entry::name, SafetensorsWriter::compareCodePoints));
        byte[] header = header(sorted, metadata);
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.allocate(Math.max(8 + header.length, CHUNK_ELEMENTS * 4))
                        .order(ByteOrder.LITTLE_ENDIAN);
                buffer.putLong(header.length).put(header);
                drain(out, buffer);
                for (Entry e : sorted) {
                    writeData(out, buffer, e);
                }
                out.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static int compareCodePoints(String a, String b) {
        return Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
    }

    /** The JSON header padded with spaces to a multiple of 8 bytes. */
    private static byte[] header(List<Entry> sorted, Map<String, String> metadata) {
        StringBuilder json = new StringBuilder("{");
        boolean first = true;
        if (metadata != null) {
            json.append("\"__metadata__\":{");
            boolean firstKey = true;
            for (Map.Entry<String, String> m : new TreeMap<>(metadata).entrySet()) {
                json.append(firstKey ? "" : ",").append(JSON.toJson(m.getKey())).append(':')
                        .append(JSON.toJson(m.getValue()));
                firstKey = false;
            }
            json.append('}');
            first = false;
        }
        long offset = 0;
        for (Entry e : sorted) {
            long end = offset + e.byteSize();
            json.append(first ? "" : ",").append(JSON.toJson(e.name())).append(":{\"dtype\":\"")
                    .append(e.dtype().name()).append("\",\"shape\":[");
            for (int i = 0; i < e.shape().length; i++) {
                json.append(i == 0 ? "" : ",").append(e.shape()[i]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
            first = false;
        }
        json.append('}');
        byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (bytes.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(bytes, padded);
        Arrays.fill(out, bytes.length, padded, (byte) ' ');
        return out;
    }

    private static void writeData(FileChannel out, ByteBuffer buffer, Entry e) throws IOException {
        float[] data = e.data();
        for (int start = 0; start < data.length; start += CHUNK_ELEMENTS) {
            int end = Math.min(data.length, start + CHUNK_ELEMENTS);
            buffer.clear();
            if (e.dtype() == Dtype.F32) {
                for (int i = start; i < end; i++) {
                    buffer.putFloat(data[i]);
                }
            } else {
                for (int i = start; i < end; i++) {
                    buffer.putShort(FloatFormats.floatToBf16(data[i]));
                }
            }
            drain(out, buffer);
        }
    }

    private static void drain(FileChannel out, ByteBuffer buffer) throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
        buffer.clear();
    }

    static void writeAtomically(Path file, byte[] content) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
