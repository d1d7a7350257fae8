package io.rlstream.model.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {

    @TempDir
    Path dir;

    /** A safetensors file from a header string and data bytes, length prefix written here. */
    private Path handMade(String name, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path file = dir.resolve(name);
        Files.write(file, b.array());
        return file;
    }

    private static byte[] le(int... shorts) {
        ByteBuffer b = ByteBuffer.allocate(2 * shorts.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int s : shorts) {
            b.putShort((short) s);
        }
        return b.array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void readsAFileWrittenByHand() throws Exception {
        // header in no particular order, metadata last, tensors not in offset order
        String header = "{\"w.bf16\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
                + "\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[20,36]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[8,12]},"
                + "\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[12,16]},"
                + "\"i\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[16,20]},"
                + "\"__metadata__\":{\"format\":\"pt\"}}";
        ByteBuffer rest = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        rest.putFloat(-0.75f).putInt(-7).putLong(5_000_000_000L).putLong(-1);
        byte[] data = concat(le(0x3F80, 0xC000, 0x3EAB, 0x7F80), le(0x3C00, 0x8001), rest.array());
        Path file = handMade("hand.safetensors", header, data);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(List.of("w.bf16", "ids", "h", "s", "i"), f.names());
            assertEquals(Map.of("format", "pt"), f.metadata());
            TensorInfo w = f.info("w.bf16");
            assertEquals(Dtype.BF16, w.dtype());
            assertArrayEquals(new long[] {2, 2}, w.shape());
            assertArrayEquals(new float[] {1f, -2f, 0.333984375f, Float.POSITIVE_INFINITY}, f.floats("w.bf16"));
            assertArrayEquals(new float[] {1f, -0x1p-24f}, f.floats("h"));
            assertEquals(1, f.info("s").elementCount());
            assertArrayEquals(new float[] {-0.75f}, f.floats("s"));
            assertArrayEquals(new int[] {-7}, f.ints("i"));
            assertArrayEquals(new long[] {-7}, f.longs("i"));
            assertArrayEquals(new long[] {5_000_000_000L, -1}, f.longs("ids"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.floats("ids"));
            assertTrue(e.getMessage().contains("'ids' is I64"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> f.info("nope"));
            assertTrue(e.getMessage().contains("hand.safetensors") && e.getMessage().contains("'nope'"));
        }
    }

    @Test
    void f32RoundTripIsBitExact() throws Exception {
        Random random = new Random(7);
        float[] a = new float[3 * 5 * 2];
        for (int i = 0; i < a.length; i++) {
            a[i] = Float.intBitsToFloat(random.nextInt());
        }
        a[0] = -0.0f;
        a[1] = Float.MIN_VALUE;
        a[2] = Float.intBitsToFloat(0x7FA00001); // a NaN with a payload
        a[3] = Float.NEGATIVE_INFINITY;
        float[] b = {3.5f};
        float[] empty = {};
        Path file = dir.resolve("rt.safetensors");
        new SafetensorsWriter(Dtype.F32).add("model.a", a, 3, 5, 2).add("b", b).add("empty", empty, 0, 4)
                .writeFile(file, SafetensorsWriter.PT_METADATA);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            float[] back = f.floats("model.a");
            for (int i = 0; i < a.length; i++) {
                assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(back[i]), "element " + i);
            }
            assertArrayEquals(new long[] {3, 5, 2}, f.info("model.a").shape());
            assertArrayEquals(new long[] {}, f.info("b").shape());
            assertArrayEquals(b, f.floats("b"));
            assertArrayEquals(new long[] {0, 4}, f.info("empty").shape());
            assertEquals(0, f.floats("empty").length);
            assertEquals(Map.of("format", "pt"), f.metadata());
            assertEquals(0, f.dataStart() % 8);
        }
        assertEquals(List.of("rt.safetensors"), listNames());
    }

    @Test
    void bf16FileHoldsTheRoundedValues() throws Exception {
        float[] values = {1f, 1f / 3, 1.00390625f, Float.intBitsToFloat(0x3F818000), -2.5f, 1e-30f};
        Path file = dir.resolve("bf16.safetensors");
        new SafetensorsWriter(Dtype.BF16).add("x", values, 2, 3).writeFile(file, SafetensorsWriter.PT_METADATA);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(Dtype.BF16, f.info("x").dtype());
            assertEquals(12, f.info("x").byteSize());
            ByteBuffer raw = f.bytes("x");
            assertEquals(0x3F80, raw.getShort(0) & 0xFFFF);
            assertEquals(0x3EAB, raw.getShort(2) & 0xFFFF);
            assertEquals(0x3F80, raw.getShort(4) & 0xFFFF);
            assertEquals(0x3F82, raw.getShort(6) & 0xFFFF);
            assertEquals(0xC020, raw.getShort(8) & 0xFFFF);
            float[] back = f.floats("x");
            for (int i = 0; i < values.length; i++) {
                assertEquals(FloatFormats.roundToBf16(values[i]), back[i]);
            }
        }
    }

    /** The byte layouts asserted by the reference's own tests (safetensors/src/tensor.rs). */
    @Test
    void headerLayoutMatchesTheReferenceImplementation() throws Exception {
        float[] six = {0, 1, 2, 3, 4, 5};
        Path file = dir.resolve("ref.safetensors");
        // test_serialization: 64-byte header, already a multiple of 8, no padding
        new SafetensorsWriter(Dtype.F32).add("attn.0", six, 1, 2, 3).writeFile(file, null);
        byte[] bytes = Files.readAllBytes(file);
        String expected = "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}";
        assertEquals(64, expected.length());
        assertEquals(64, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong());
        assertEquals(expected, new String(bytes, 8, 64, StandardCharsets.US_ASCII));
        assertEquals(8 + 64 + 24, bytes.length);
        // test_serialization_forced_alignement: 65 bytes of JSON padded with 7 spaces to 72
        new SafetensorsWriter(Dtype.F32).add("attn0", six, 1, 1, 2, 3).writeFile(file, null);
        bytes = Files.readAllBytes(file);
        assertEquals(72, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong());
        assertEquals("{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       ",
                new String(bytes, 8, 72, StandardCharsets.US_ASCII));
        assertEquals(1.0f, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getFloat(8 + 72 + 4));
        // test_empty with metadata: {"__metadata__":{"framework":"pt"}} (35 bytes) + 5 spaces
        new SafetensorsWriter(Dtype.F32).writeFile(file, Map.of("framework", "pt"));
        bytes = Files.readAllBytes(file);
        assertEquals(40, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong());
        assertEquals("{\"__metadata__\":{\"framework\":\"pt\"}}     ", new String(bytes, 8, 40, StandardCharsets.US_ASCII));
        // test_empty without metadata: {} + 6 spaces
        new SafetensorsWriter(Dtype.F32).writeFile(file, null);
        assertEquals("{}      ", new String(Files.readAllBytes(file), 8, 8, StandardCharsets.US_ASCII));
    }

    @Test
    void tensorsAreSortedByAlignmentThenName() throws Exception {
        Path file = dir.resolve("sorted.safetensors");
        new SafetensorsWriter(Dtype.F32)
                .add("b", new float[] {1})
                .add("a", Dtype.BF16, new float[] {2})
                .add("c.10", new float[] {3})
                .add("c.9", new float[] {4})
                .add("A", new float[] {5})
                .writeFile(file, SafetensorsWriter.PT_METADATA);
        byte[] bytes = Files.readAllBytes(file);
        int n = (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(bytes, 8, n, StandardCharsets.UTF_8);
        // F32 (alignment 4) before BF16 (2); names by bytes: "A" < "b" < "c.10" < "c.9"
        assertEquals("{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"A\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[4,8]},"
                + "\"c.10\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]},"
                + "\"c.9\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[12,16]},"
                + "\"a\":{\"dtype\":\"BF16\",\"shape\":[],\"data_offsets\":[16,18]}}", header.stripTrailing());
        assertEquals(0, n % 8);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertArrayEquals(new float[] {2}, f.floats("a"));
            assertArrayEquals(new float[] {4}, f.floats("c.9"));
        }
    }

    @Test
    void namesAreEscapedAsJson() throws Exception {
        Path file = dir.resolve("names.safetensors");
        String odd = "w\"<=>\\ü";
        new SafetensorsWriter(Dtype.F32).add(odd, new float[] {1}).writeFile(file, SafetensorsWriter.PT_METADATA);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(List.of(odd), f.names());
            assertEquals(0, f.dataStart() % 8);
        }
    }

    @Test
    void writerRejectsBadInput() {
        SafetensorsWriter w = new SafetensorsWriter(Dtype.F32);
        assertThrows(IllegalArgumentException.class, () -> new SafetensorsWriter(Dtype.F16));
        assertThrows(IllegalArgumentException.class, () -> w.add("x", new float[3], 2, 2));
        assertThrows(IllegalArgumentException.class, () -> w.add("__metadata__", new float[1]));
        w.add("x", new float[4], 2, 2);
        assertThrows(IllegalArgumentException.class, () -> w.add("x", new float[4], 4));
    }

    private List<String> listNames() throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    // ---- malformed input -------------------------------------------------------------------

    private String openError(Path file) {
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsFile.open(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        return e.getMessage();
    }

    @Test
    void fileShorterThanTheLengthPrefix() throws Exception {
        Path file = dir.resolve("short.safetensors");
        Files.write(file, new byte[] {1, 2, 3});
        assertTrue(openError(file).contains("truncated: 3 bytes"));
    }

    @Test
    void headerLengthPastTheEnd() throws Exception {
        Path file = handMade("past.safetensors", "{}", new byte[0]);
        byte[] bytes = Files.readAllBytes(file);
        bytes[0] = 100;
        Files.write(file, bytes);
        assertTrue(openError(file).contains("header length 100 runs past the end of the file (10 bytes)"));
        bytes[7] = (byte) 0x80; // a u64 above 2^63
        Files.write(file, bytes);
        assertTrue(openError(file).contains("header length 9223372036854775908 runs past the end"));
    }

    @Test
    void headerNotJson() throws Exception {
        assertTrue(openError(handMade("json.safetensors", "{\"a\":", new byte[0])).contains("not valid JSON"));
        assertTrue(openError(handMade("arr.safetensors", "[1]", new byte[0])).contains("not a JSON object"));
    }

    @Test
    void truncatedData() throws Exception {
        Path file = handMade("trunc.safetensors",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[10]);
        String message = openError(file);
        assertTrue(message.contains("tensor 'w'") && message.contains("run past the end of the data section (10 bytes)"),
                message);
    }

    @Test
    void unknownDtype() throws Exception {
        String message = openError(handMade("dtype.safetensors",
                "{\"w\":{\"dtype\":\"F4\",\"shape\":[4],\"data_offsets\":[0,2]}}", new byte[2]));
        assertTrue(message.contains("tensor 'w': unknown dtype 'F4'"), message);
    }

    @Test
    void shapeAndSizeDisagree() throws Exception {
        String message = openError(handMade("size.safetensors",
                "{\"w\":{\"dtype\":\"BF16\",\"shape\":[2,3],\"data_offsets\":[0,16]}}", new byte[16]));
        assertTrue(message.contains("tensor 'w': BF16 shape [2, 3] needs 12 bytes but data_offsets [0, 16] hold 16"),
                message);
    }

    @Test
    void overlappingTensors() throws Exception {
        String message = openError(handMade("overlap.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]));
        assertTrue(message.contains("tensor 'b' data_offsets [4, 12] overlap tensor 'a' [0, 8]"), message);
    }

    @Test
    void invalidOffsetsAndShapes() throws Exception {
        assertTrue(openError(handMade("rev.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}", new byte[8]))
                .contains("tensor 'a': invalid data_offsets [8, 4]"));
        assertTrue(openError(handMade("neg.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[8]))
                .contains("tensor 'a': negative dimension"));
        assertTrue(openError(handMade("three.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", new byte[8]))
                .contains("tensor 'a': data_offsets has 3 elements"));
        assertTrue(openError(handMade("frac.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", new byte[8]))
                .contains("tensor 'a': shape element 1.5 is not a 64-bit integer"));
        assertTrue(openError(handMade("huge.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}", new byte[8]))
                .contains("tensor 'a': shape overflows"));
        assertTrue(openError(handMade("meta.safetensors", "{\"__metadata__\":{\"n\":1}}", new byte[0]))
                .contains("__metadata__ value of 'n' is not a string"));
    }

    /**
     * A tensor beyond 2 GiB into the file is mapped at its long offset. The file is sparse: the
     * 2 GiB of zeros before the tensor take no disk.
     */
    @Test
    void readsTensorsPastTwoGibibytes() throws Exception {
        long pad = (1L << 31) + 8;
        String header = "{\"pad\":{\"dtype\":\"U8\",\"shape\":[" + pad + "],\"data_offsets\":[0," + pad + "]},"
                + "\"w\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[" + pad + "," + (pad + 6) + "]}}";
        byte[] h = header.getBytes(StandardCharsets.US_ASCII);
        Path file = dir.resolve("big.safetensors");
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer head = ByteBuffer.allocate(8 + h.length).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(h.length).put(h).flip();
            out.write(head, 0);
            out.write(ByteBuffer.wrap(le(0x3F80, 0x4000, 0xBF00)), 8 + h.length + pad);
        }
        try (RandomAccessFile r = new RandomAccessFile(file.toFile(), "r")) {
            assertEquals(8 + h.length + pad + 6, r.length());
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(pad, f.info("w").begin());
            assertArrayEquals(new float[] {1f, 2f, -0.5f}, f.floats("w"));
            assertThrows(IllegalArgumentException.class, () -> f.bytes("pad"));
        }
    }
}
