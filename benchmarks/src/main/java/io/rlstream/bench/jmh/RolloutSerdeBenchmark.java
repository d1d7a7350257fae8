package io.rlstream.bench.jmh;

import io.rlstream.events.FinishReason;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.tokens.Tokens;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Avro cost of one {@link Rollout} with its tokens as Avro arrays (before issue 18: one varint per
 * token id, one boxed Integer/Float per value on reading) against packed bytes (issue 18: int32
 * and float32 little-endian in {@code bytes} fields). The rollout has 8 prompt tokens and
 * {@code responseTokens} response tokens with their behaviour log-probs; ids are uniform over
 * Qwen's 151,936-token vocabulary (so a varint takes its real 2 or 3 bytes), log-probs uniform in
 * (-4, 0], seeded. The text fields are short and the same in both formats, so the difference is
 * the tokens' (a real rollout also carries its response text, about 4 bytes per token either way).
 * Plain Avro, no registry, no Kafka: what a serializer and a deserializer do per record.
 *
 * <ul>
 *   <li>{@code encode}: {@link SpecificDatumWriter} into a reused {@link BinaryEncoder} over a
 *       reused {@link ByteArrayOutputStream}, then {@code toByteArray()}, as a Kafka serializer.
 *   <li>{@code decode}: {@link SpecificDatumReader} into a new record, as a deserializer.
 *   <li>{@code decodeToTokens}: decode, then prompt ids, response ids and log-probs to
 *       {@code int[]}/{@code float[]} through {@link Tokens}, as the trainer reads them.
 * </ul>
 *
 * Average time per op in microseconds. The serialized sizes are printed by {@code main} (third
 * line below), not by the trials, whose output from a forked VM would split JMH's lines:
 *
 * <pre>
 *   bin/jmh RolloutSerdeBenchmark
 *   bin/jmh RolloutSerdeBenchmark -p responseTokens=8000 -f 1 -wi 2 -i 3
 *   java -cp benchmarks/target/classes:$(cat benchmarks/target/jmh-classpath.txt) io.rlstream.bench.jmh.RolloutSerdeBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Thread)
public class RolloutSerdeBenchmark {

    static {
        // Avro refuses to load generated classes from untrusted packages (ClassSecurityValidator);
        // set before the first reader, in the JMH fork and in main alike.
        System.getProperties().putIfAbsent("org.apache.avro.SERIALIZABLE_PACKAGES", "io.rlstream.events");
    }

    static final int PROMPT_TOKENS = 8;
    /** Qwen2.5/Qwen3's vocabulary size. */
    static final int VOCABULARY = 151_936;
    static final String ARRAYS = "arrays";
    static final String PACKED = "packed";

    @Param({"100", "1000", "8000"})
    public int responseTokens;

    @Param({ARRAYS, PACKED})
    public String format;

    private final SpecificDatumWriter<Rollout> writer = new SpecificDatumWriter<>(Rollout.class);
    private final SpecificDatumReader<Rollout> reader = new SpecificDatumReader<>(Rollout.class);
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private BinaryEncoder encoder;
    private BinaryDecoder decoder;

    private Rollout rollout;
    private byte[] serialized;

    /** What the trainer takes from a rollout. */
    record TokenArrays(int[] promptIds, int[] responseIds, float[] logprobs) {
    }

    @Setup
    public void setUp() {
        TokenArrays tokens = draw(responseTokens, 42);
        rollout = rollout(tokens, format);
        serialized = encode();
    }

    @Benchmark
    public byte[] encode() {
        out.reset();
        encoder = EncoderFactory.get().binaryEncoder(out, encoder);
        try {
            writer.write(rollout, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Benchmark
    public Rollout decode() {
        decoder = DecoderFactory.get().binaryDecoder(serialized, decoder);
        try {
            return reader.read(null, decoder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Benchmark
    public TokenArrays decodeToTokens() {
        Rollout r = decode();
        return new TokenArrays(Tokens.promptIds(r), Tokens.responseIds(r), Tokens.logprobs(r));
    }

    /** 8 prompt ids and {@code responseTokens} response ids and log-probs, from {@code seed}. */
    static TokenArrays draw(int responseTokens, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] prompt = random.ints(PROMPT_TOKENS, 0, VOCABULARY).toArray();
        int[] response = random.ints(responseTokens, 0, VOCABULARY).toArray();
        float[] logprobs = new float[responseTokens];
        for (int i = 0; i < responseTokens; i++) {
            // nextFloat() is in [0, 1) in steps of 2^-24, so -4 * it is exact and in (-4, 0].
            logprobs[i] = -4f * random.nextFloat();
        }
        return new TokenArrays(prompt, response, logprobs);
    }

    /** A finished rollout carrying {@code tokens} as Avro arrays or packed, the other fields empty. */
    static Rollout rollout(TokenArrays tokens, String format) {
        Rollout.Builder b = Rollout.newBuilder()
                .setRolloutId("group-000042/3").setGroupId("group-000042").setPromptId("prompt-000042")
                .setSampleIndex(3).setGroupSize(8)
                .setResponseText("The answer is 42.").setPolicyVersion(17)
                .setFinishReason(FinishReason.STOP).setStatus(SampleStatus.OK)
                .setGeneratorId("generator-0").setGeneratedAt(Instant.ofEpochMilli(1_796_000_000_000L))
                .setTemperature(1.0f).setMaxNewTokens(8192);
        return switch (format) {
            case ARRAYS -> b.setPromptTokenIds(boxed(tokens.promptIds()))
                    .setResponseTokenIds(boxed(tokens.responseIds()))
                    .setBehaviourLogprobs(boxed(tokens.logprobs())).build();
            case PACKED -> Tokens.pack(b, tokens.promptIds(), tokens.responseIds(), tokens.logprobs()).build();
            default -> throw new IllegalArgumentException("format " + format + ": expected " + ARRAYS + " or " + PACKED);
        };
    }

    private static List<Integer> boxed(int[] values) {
        List<Integer> list = new ArrayList<>(values.length);
        for (int v : values) {
            list.add(v);
        }
        return list;
    }

    private static List<Float> boxed(float[] values) {
        List<Float> list = new ArrayList<>(values.length);
        for (float v : values) {
            list.add(v);
        }
        return list;
    }

    /** Prints the serialized size of the rollout per response length and format. */
    public static void main(String[] args) {
        System.out.printf("%-8s %12s %12s %14s%n", "T", "arrays B", "packed B", "packed/arrays");
        for (int t : new int[] {100, 1000, 8000}) {
            int[] sizes = new int[2];
            String[] formats = {ARRAYS, PACKED};
            for (int f = 0; f < 2; f++) {
                RolloutSerdeBenchmark bench = new RolloutSerdeBenchmark();
                bench.responseTokens = t;
                bench.format = formats[f];
                bench.rollout = rollout(draw(t, 42), formats[f]);
                sizes[f] = bench.encode().length;
            }
            System.out.printf("%-8d %12d %12d %14.3f%n", t, sizes[0], sizes[1], (double) sizes[1] / sizes[0]);
        }
    }
}
