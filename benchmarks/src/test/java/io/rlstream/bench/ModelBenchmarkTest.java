package io.rlstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.rlstream.model.decoder.DecoderModel;
import io.rlstream.model.decoder.ModelDevice;
import io.rlstream.model.decoder.ResponseScorer;
import io.rlstream.model.hf.DecoderArchitecture;
import io.rlstream.model.hf.DecoderConfig;
import io.rlstream.testkit.CommandConsole;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rlstream bench model}: the FLOP count, the size-to-shape choice, the flags, and one tiny run. */
class ModelBenchmarkTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void oneThread() {
        System.getProperties().putIfAbsent("ai.djl.pytorch.num_threads", "1");
        System.getProperties().putIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
    }

    /** vocab 100, hidden 8, 2 heads of 4, intermediate 16, 1 layer, tied. */
    private static final DecoderConfig SMALL = DecoderConfig.of(DecoderArchitecture.LLAMA, 100, 8, 16, 1, 2, 2, true);

    @Test
    void theTrainingFlopsAreSixPerParameterPerTokenPlusAttentionAndTheHeadOnResponsePositions() {
        // By hand: q, k, v, o 4 x 8 x 8 = 256; gate, up, down 3 x 8 x 16 = 384; two norms 16:
        // a layer 656; + final norm 8 = body 664; embedding 100 x 8 = 800 (tied: no lm_head) = 1464.
        assertEquals(1464, SMALL.parameterCount());
        assertEquals(664, ModelFlops.bodyParameters(SMALL));
        // B 2, P 3, R 2: T = 3 + 2 - 1 = 4 positions per row, 8 in all.
        //   body      6 x 664 x 8                           = 31,872
        //   attention 12 x L 1 x H 2 x Q 4 x T 4, per position x 8 = 384 x 8 = 3,072 (PaLM, app. B)
        //   head      6 x 100 x 8 x B 2 x R 2               = 19,200
        assertEquals(4, ModelFlops.positions(3, 2));
        assertEquals(31_872 + 3_072 + 19_200, ModelFlops.trainingStep(SMALL, 2, 3, 2), 1e-9);
        // untied: the embedding table and lm_head are both left out of the body
        DecoderConfig untied = DecoderConfig.of(DecoderArchitecture.LLAMA, 100, 8, 16, 1, 2, 2, false);
        assertEquals(664, ModelFlops.bodyParameters(untied));
    }

    @Test
    void theTrainersStepIsOneForwardPassAndTwoTrainingPasses() {
        // the B 2, P 3, R 2 step above: 54,144 FLOPs forward and backward; forward alone a third,
        // 2 of the 6 per parameter per token and 4 of PaLM's 12: 10,624 + 1,024 + 6,400 = 18,048
        assertEquals(18_048, ModelFlops.forwardPass(SMALL, 2, 3, 2), 1e-9);
        // PolicyTrainer.rlStep with 2 updates: 18,048 + 2 x 54,144
        assertEquals(126_336, ModelFlops.rlStep(SMALL, 2, 2, 3, 2), 1e-9);
    }

    @Test
    void percentOfPeakAndTheMatmulCount() {
        // 54,144 FLOPs in 1 ms = 54.144 MFLOP/s; against a 100 MFLOP/s peak: 54.144%
        assertEquals(54.144, ModelFlops.percentOfPeak(54_144, 0.001, 100e6), 1e-9);
        // 3 x 3 by 3 x 3: 27 multiply-adds = 54 FLOPs
        assertEquals(54, ModelFlops.squareMatmul(3), 0);
        assertEquals(2.0 * 2048 * 2048 * 2048, ModelFlops.squareMatmul(2048), 0);
    }

    @Test
    void sizesParseWithTheirSuffixesAndBadOnesAreNamed() {
        assertEquals(1_000_000, ModelShape.parseCount("1M"));
        assertEquals(200_000, ModelShape.parseCount("0.2M"));
        assertEquals(500_000, ModelShape.parseCount("500k"));
        assertEquals(1_500_000_000L, ModelShape.parseCount("1.5B"));
        assertEquals(10_000_000, ModelShape.parseCount(" 10m "));
        assertEquals(123_456, ModelShape.parseCount("123_456"));
        for (String bad : List.of("ten", "", "-1M", "0M", "1e6", "M", "1MM")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ModelShape.parseCount(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
        assertEquals("1M", ModelShape.label(1_000_000));
        assertEquals("1.06M", ModelShape.label(1_060_000));
        assertEquals("48.5M", ModelShape.label(48_512_000));
        assertEquals("226k", ModelShape.label(225_728));
    }

    @Test
    void flagsBecomeSettingsAndMistakesAreUsageErrors() {
        ModelBenchmark.Settings d = ModelBenchmark.parse(List.of());
        assertEquals(List.of(1_000_000L, 10_000_000L), d.sizes());
        ModelBenchmark.Settings s = ModelBenchmark.parse(List.of("--sizes", "1M,10M,50M", "--batch", "4",
                "--threads", "2", "--device", "auto", "--recompute", "none", "--out", "x"));
        assertEquals(List.of(1_000_000L, 10_000_000L, 50_000_000L), s.sizes());
        assertEquals(4, s.batch());
        assertEquals(2, s.threads());
        assertEquals(ModelDevice.AUTO, s.device());
        assertEquals(ModelBenchmark.Recompute.NONE, s.recompute());
        ModelBenchmark.Settings m = ModelBenchmark.parse(List.of("--model", "a", "--model=b"));
        assertEquals(List.of(Path.of("a"), Path.of("b")), m.models());
        assertTrue(m.sizes().isEmpty());

        CommandConsole console = new CommandConsole();
        assertEquals(2, console.run(Benchmarks::run, "model", "--sizes", "1M,lots"));
        assertTrue(console.err().startsWith("rlstream bench model: a model size is a number with k, M or B"),
                console.err());
        assertTrue(console.err().contains("Run 'rlstream bench model --help' for usage."), console.err());
        for (List<String> bad : List.of(List.of("--sizes", "10k"), List.of("--device", "tpu"),
                List.of("--model", "a", "--sizes", "1M"), List.of("--sizes", "1M", "--model", "a"),
                List.of("--batch", "0"), List.of("--recompute", "some"), List.of("--model"))) {
            console.reset();
            assertEquals(2, console.run(Benchmarks::run, concat("model", bad)), bad.toString());
        }
        console.reset();
        console.run(Benchmarks::run, "model", "--device", "tpu");
        assertTrue(console.err().contains("--device must be cpu, gpu or auto, got 'tpu'"), console.err());
        console.reset();
        console.run(Benchmarks::run, "model", "--sizes", "10k");
        assertTrue(console.err().contains("model sizes must be in 50k..20B, got 10k"), console.err());
    }

    @Test
    void theShapeOfEachSizeLandsWithin30PercentOfItsCountCheckedOnTheRealModel() {
        for (long target : List.of(200_000L, 1_000_000L, 10_000_000L, 50_000_000L)) {
            ModelShape shape = ModelShape.forParameters(target);
            DecoderConfig config = shape.config();
            double ratio = (double) config.parameterCount() / target;
            assertTrue(ratio >= 0.7 && ratio <= 1.3, target + ": " + shape.describe());
            assertEquals(64, config.headDim(), shape.describe());
            assertTrue(config.vocabSize() * (long) config.hiddenSize() <= target / 2 + config.hiddenSize() * 256L,
                    "the embedding is at most half the target: " + shape.describe());
            if (target <= 10_000_000L) {
                // the count the benchmark reports is the real model's, summed over its arrays
                try (DecoderModel model = DecoderModel.create(config, 1, Device.cpu())) {
                    long actual = 0;
                    for (Pair<String, Parameter> p : model.network().getParameters()) {
                        actual += p.getValue().getArray().getShape().size();
                    }
                    assertEquals(config.parameterCount(), actual, shape.describe());
                }
            }
        }
        // 32,000 (Llama 2's) once the budget allows it at the width chosen (32,000 x 576 = 18.4M of 54.3M);
        // below that, the largest power of two keeping the table at half the budget (ModelShape's comment)
        ModelShape fifty = ModelShape.forParameters(50_000_000L);
        assertEquals(32_000, fifty.vocab(), fifty.describe());
        ModelShape ten = ModelShape.forParameters(10_000_000L);
        // 10M / (2 x hidden) rounded down to a power of two
        assertEquals(Long.highestOneBit(10_000_000L / (2L * ten.hidden())), ten.vocab(), ten.describe());
    }

    @Test
    void clearingGradientsLeavesEveryGradientZero() {
        DecoderConfig config = DecoderConfig.of(DecoderArchitecture.LLAMA, 50, 16, 32, 1, 2, 2, true);
        try (DecoderModel model = DecoderModel.create(config, 3, Device.cpu())) {
            ResponseScorer scorer = new ResponseScorer(model, 4);
            SplittableRandom random = new SplittableRandom(5);
            scorer.backward(ModelBenchmark.randomRows(random, 2, 3, 50), ModelBenchmark.randomRows(random, 2, 4, 50),
                    1.0, (lp, mask) -> lp.mul(mask).sum().neg().div(mask.sum()));
            assertTrue(gradientSquares(model) > 0, "the backward pass left gradients");
            ModelBenchmark.clearGradients(model);
            assertEquals(0.0, gradientSquares(model), 0);
        }
    }

    @Test
    void aTinyRunGivesPositiveFiniteNumbersInTheTableAndTheCsv() throws Exception {
        CommandConsole console = new CommandConsole();
        int status = console.run(Benchmarks::run, "model", "--sizes", "0.2M", "--batch", "2", "--prompt-tokens",
                "8", "--response-tokens", "4", "--steps", "1", "--warmup-steps", "0", "--gen-batch", "2",
                "--new-tokens", "3", "--gen-runs", "1", "--matmul-size", "128", "--out", dir.toString());
        assertEquals(0, status, console.err());
        String out = console.out();
        assertTrue(out.contains("device cpu() (model.device cpu), PyTorch threads"), out);
        assertTrue(out.contains("200k: llama, 3 layers, hidden 64"), out);
        assertTrue(out.contains("fp32 matmul peak: "), out);
        assertTrue(out.contains("KV cache at 200k: "), out);
        List<String> lines = Files.readAllLines(dir.resolve(ModelBenchmark.CSV));
        assertEquals(2, lines.size());
        assertEquals(ModelBenchmarkReport.CSV_HEADER, lines.get(0));
        String[] header = lines.get(0).split(",");
        String[] row = lines.get(1).split(",", -1);
        assertEquals(header.length, row.length);
        for (String column : List.of("params", "step_s", "train_tokens_per_s", "train_gflops", "peak_gflops",
                "percent_of_peak", "gen_s", "gen_tokens_per_s", "recompute_tokens_per_s")) {
            double v = Double.parseDouble(row[List.of(header).indexOf(column)]);
            assertTrue(v > 0 && Double.isFinite(v), column + " = " + v);
        }
        // B 2 x (8 + 4 - 1) = 22 positions per step: tokens/s x step s gives them back
        double step = Double.parseDouble(row[List.of(header).indexOf("step_s")]);
        double tokensPerSecond = Double.parseDouble(row[List.of(header).indexOf("train_tokens_per_s")]);
        assertEquals(22, tokensPerSecond * step, 1e-3);
        // 2 prompts x 3 new tokens per batch
        double genSeconds = Double.parseDouble(row[List.of(header).indexOf("gen_s")]);
        double genRate = Double.parseDouble(row[List.of(header).indexOf("gen_tokens_per_s")]);
        assertEquals(6, genRate * genSeconds, 1e-3);
    }

    private static double gradientSquares(DecoderModel model) {
        double sum = 0;
        for (Pair<String, Parameter> p : model.network().getParameters()) {
            NDArray g = p.getValue().getArray().getGradient();
            sum += g.square().sum().getFloat();
            g.close();
        }
        return sum;
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new java.util.ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }
}
