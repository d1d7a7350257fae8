package io.rlstream.model.safetensors;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A safetensors file opened for reading: the header is parsed and validated at {@link #open};
 * tensor data is memory-mapped one tensor (or one window of a large tensor) at a time, at long
 * offsets, so files and tensors over 2 GiB are readable and the file is never read whole.
 *
 * <p>Format (huggingface/safetensors README): an unsigned 64-bit little-endian header length N,
 * N bytes of UTF-8 JSON mapping each tensor name to {@code {"dtype", "shape", "data_offsets"}}
 * (plus an optional {@code "__metadata__"} map of strings), then the data section. Offsets are
 * relative to the data section.
 *
 * <p>Validation: every tensor's byte range must lie inside the data section, hold exactly
 * shape × dtype size bytes, and not overlap another tensor. Gaps between tensors and bytes after
 * the last one are accepted (the Rust reader rejects them; nothing here depends on them).
 *
 * <p>Floating-point tensors (F32, F16, BF16, F64) are read as fp32 by {@link #floats}; BF16 and
 * F16 are converted in Java ({@link FloatFormats}), never handed to DJL. I32 and I64 tensors are
 * read as is by {@link #ints} and {@link #longs}. Not thread-safe for {@link #close}; reads may
 * run concurrently.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** The reference implementation's limit on the header (safetensors/src/tensor.rs). */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    /** Largest window mapped at once when converting a tensor (a multiple of 8). */
    private static final long WINDOW_BYTES = 1L << 30;

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, FileChannel channel, long dataStart,
                            Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Opens {@code path} and validates its header. */
    public static SafetensorsFile open(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            long size = channel.size();
            if (size < 8) {
                throw new SafetensorsFormatException(path + ": truncated: " + size
                        + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.getLong(0);
            if (headerLength < 0 || headerLength > size - 8) {
                throw new SafetensorsFormatException(path + ": header length "
                        + Long.toUnsignedString(headerLength) + " runs past the end of the file ("
                        + size + " bytes): truncated or not a safetensors file");
            }
            if (headerLength > MAX_HEADER_BYTES) {
                throw new SafetensorsFormatException(path + ": header length " + headerLength
                        + " exceeds the format's limit of " + MAX_HEADER_BYTES + " bytes");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, 8);
            headerBytes.flip();
            String header;
            try {
                header = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(headerBytes).toString();
            } catch (CharacterCodingException e) {
                throw new SafetensorsFormatException(path + ": header is not valid UTF-8", e);
            }
            long dataStart = 8 + headerLength;
            long dataSize = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> tensors = parseHeader(path, header, dataSize, metadata);
            return new SafetensorsFile(path, channel, dataStart, tensors, metadata);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static Map<String, TensorInfo> parseHeader(Path path, String header, long dataSize,
                                                       Map<String, String> metadata)
            throws SafetensorsFormatException {
        JsonElement root;
        try {
            root = JsonParser.parseString(header);
        } catch (JsonParseException e) {
            throw new SafetensorsFormatException(path + ": header is not valid JSON: "
                    + e.getMessage(), e);
        }
        if (!root.isJsonObject()) {
            throw new SafetensorsFormatException(path + ": header is not a JSON object");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> entry : root.getAsJsonObject().entrySet()) {
            String name = entry.getKey();
            if (name.equals("__metadata__")) {
                if (!entry.getValue().isJsonObject()) {
                    throw new SafetensorsFormatException(path + ": __metadata__ is not an object");
                }
                for (Map.Entry<String, JsonElement> m : entry.getValue().getAsJsonObject().entrySet()) {
                    if (!m.getValue().isJsonPrimitive() || !m.getValue().getAsJsonPrimitive().isString()) {
                        throw new SafetensorsFormatException(path + ": __metadata__ value of '"
                                + m.getKey() + "' is not a string");
                    }
                    metadata.put(m.getKey(), m.getValue().getAsString());
                }
                continue;
            }
            tensors.put(name, parseTensor(path, name, entry.getValue(), dataSize));
        }
        List<TensorInfo> byOffset = new ArrayList<>(tensors.values());
        byOffset.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        for (int i = 1; i < byOffset.size(); i++) {
            TensorInfo previous = byOffset.get(i - 1);
            TensorInfo current = byOffset.get(i);
            if (current.begin() < previous.end()) {
                throw new SafetensorsFormatException(path + ": tensor '" + current.name()
                        + "' data_offsets [" + current.begin() + ", " + current.end()
                        + "] overlap tensor '" + previous.name() + "' [" + previous.begin() + ", "
                        + previous.end() + "]");
            }
        }
        return Collections.unmodifiableMap(tensors);
    }

    private static TensorInfo parseTensor(Path path, String name, JsonElement value, long dataSize)
            throws SafetensorsFormatException {
        String where = path + ": tensor '" + name + "'";
        if (!value.isJsonObject()) {
            throw new SafetensorsFormatException(where + ": entry is not an object");
        }
        JsonObject o = value.getAsJsonObject();
        JsonElement dtypeJson = o.get("dtype");
        if (dtypeJson == null || !dtypeJson.isJsonPrimitive()) {
            throw new SafetensorsFormatException(where + ": no dtype");
        }
        Dtype dtype = Dtype.parse(dtypeJson.getAsString());
        if (dtype == null) {
            throw new SafetensorsFormatException(where + ": unknown dtype '" + dtypeJson.getAsString() + "'");
        }
        long[] shape = longArray(where, "shape", o.get("shape"), -1);
        long[] offsets = longArray(where, "data_offsets", o.get("data_offsets"), 2);
        for (long d : shape) {
            if (d < 0) {
                throw new SafetensorsFormatException(where + ": negative dimension in shape");
            }
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin < 0 || end < begin) {
            throw new SafetensorsFormatException(where + ": invalid data_offsets [" + begin + ", " + end + "]");
        }
        if (end > dataSize) {
            throw new SafetensorsFormatException(where + ": data_offsets [" + begin + ", " + end
                    + "] run past the end of the data section (" + dataSize + " bytes): truncated file?");
        }
        long expected;
        try {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            expected = Math.multiplyExact(n, dtype.size());
        } catch (ArithmeticException e) {
            throw new SafetensorsFormatException(where + ": shape overflows");
        }
        if (end - begin != expected) {
            throw new SafetensorsFormatException(where + ": " + dtype + " shape "
                    + java.util.Arrays.toString(shape) + " needs " + expected + " bytes but data_offsets ["
                    + begin + ", " + end + "] hold " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static long[] longArray(String where, String field, JsonElement json, int length)
            throws SafetensorsFormatException {
        if (json == null || !json.isJsonArray()) {
            throw new SafetensorsFormatException(where + ": no " + field + " array");
        }
        JsonArray array = json.getAsJsonArray();
        if (length >= 0 && array.size() != length) {
            throw new SafetensorsFormatException(where + ": " + field + " has " + array.size()
                    + " elements, expected " + length);
        }
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement e = array.get(i);
            try {
                if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                    throw new NumberFormatException();
                }
                out[i] = new java.math.BigDecimal(e.getAsString()).longValueExact();
            } catch (NumberFormatException | ArithmeticException ex) {
                throw new SafetensorsFormatException(where + ": " + field + " element " + e
                        + " is not a 64-bit integer");
            }
        }
        return out;
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long p = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, p);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            p += n;
        }
    }

    /** The file this was opened from. */
    public Path path() {
        return path;
    }

    /** Tensor names in header order. */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    /** Every tensor's header entry, by name, in header order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** The header entry of {@code name}; throws naming the file when there is none. */
    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new IllegalArgumentException(path + ": no tensor '" + name + "'");
        }
        return info;
    }

    /** The {@code __metadata__} map (empty when the header has none). */
    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    /** Byte offset of the data section in the file (8 + header length). */
    public long dataStart() {
        return dataStart;
    }

    /**
     * The raw little-endian bytes of a tensor, memory-mapped read-only. Limited to tensors under
     * 2 GiB (one mapping); use {@link #floats} for larger ones.
     */
    public ByteBuffer bytes(String name) throws IOException {
        TensorInfo info = info(name);
        if (info.byteSize() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(path + ": tensor '" + name + "' has " + info.byteSize()
                    + " bytes, more than one mapping holds");
        }
        return map(info.begin(), info.byteSize());
    }

    private ByteBuffer map(long begin, long length) throws IOException {
        if (length == 0) {
            return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + begin, length)
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A floating-point tensor (F32, F16, BF16 or F64) as a new fp32 array, row-major. */
    public float[] floats(String name) throws IOException {
        TensorInfo info = info(name);
        long n = info.elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(path + ": tensor '" + name + "' has " + n
                    + " elements, more than a Java array holds");
        }
        float[] out = new float[(int) n];
        readFloats(name, out, 0);
        return out;
    }

    /**
     * Converts a floating-point tensor to fp32 into {@code out} from {@code offset}, mapping at
     * most 1 GiB of the file at a time.
     */
    public void readFloats(String name, float[] out, int offset) throws IOException {
        TensorInfo info = info(name);
        Dtype dtype = info.dtype();
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException(path + ": tensor '" + name + "' is " + dtype
                    + ", not a floating-point type (F32, F16, BF16, F64)");
        }
        long n = info.elementCount();
        if (offset < 0 || out.length - (long) offset < n) {
            throw new IllegalArgumentException(path + ": tensor '" + name + "' has " + n
                    + " elements; the array has room for " + (out.length - (long) offset));
        }
        int size = dtype.size();
        long done = 0;
        while (done < n) {
            long count = Math.min(n - done, WINDOW_BYTES / size);
            ByteBuffer window = map(info.begin() + done * size, count * size);
            int o = offset + (int) done;
            int c = (int) count;
            switch (dtype) {
                case F32 -> window.asFloatBuffer().get(out, o, c);
                case BF16 -> {
                    for (int i = 0; i < c; i++) {
                        out[o + i] = FloatFormats.bf16ToFloat(window.getShort(2 * i));
                    }
                }
                case F16 -> {
                    for (int i = 0; i < c; i++) {
                        out[o + i] = FloatFormats.f16ToFloat(window.getShort(2 * i));
                    }
                }
                case F64 -> {
                    for (int i = 0; i < c; i++) {
                        out[o + i] = (float) window.getDouble(8 * i);
                    }
                }
                default -> throw new AssertionError(dtype);
            }
            done += count;
        }
    }

    /** An I64 or I32 tensor as longs. */
    public long[] longs(String name) throws IOException {
        TensorInfo info = info(name);
        ByteBuffer data = integerData(info, Dtype.I64, Dtype.I32);
        long[] out = new long[(int) info.elementCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = info.dtype() == Dtype.I64 ? data.getLong(8 * i) : data.getInt(4 * i);
        }
        return out;
    }

    /** An I32 tensor as ints. */
    public int[] ints(String name) throws IOException {
        TensorInfo info = info(name);
        ByteBuffer data = integerData(info, Dtype.I32, Dtype.I32);
        int[] out = new int[(int) info.elementCount()];
        data.asIntBuffer().get(out);
        return out;
    }

    private ByteBuffer integerData(TensorInfo info, Dtype a, Dtype b) throws IOException {
        if (info.dtype() != a && info.dtype() != b) {
            throw new IllegalArgumentException(path + ": tensor '" + info.name() + "' is "
                    + info.dtype() + ", expected " + (a == b ? a : a + " or " + b));
        }
        return bytes(info.name());
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
