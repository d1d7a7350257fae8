package io.rlstream.trainer.core;

import io.rlstream.model.Policy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * One RL step (or sft step) of {@link PolicyTrainer} on a model folder, with the process's peak
 * resident memory (Linux VmHWM) before and after: what {@code trainer.max.logit.elements} saves
 * with a real vocabulary (trainer-service/README.md#memory). Not a test; one configuration per JVM
 * (the peak never comes down), from the repository root after {@code mvn -o -q package -DskipTests}:
 *
 * <pre>
 * bin/rlstream model init --arch qwen3 --layers 2 --hidden 64 --heads 4 --kv-heads 2 --intermediate 128 \
 *     --head-dim 16 --vocab 151936 --tokenizer QWEN3_TOKENIZER_DIR --out /tmp/qwen3-tiny
 * java -cp "trainer-service/target/test-classes:launcher/target/classes:$(cat launcher/target/classpath.txt)" \
 *     io.rlstream.trainer.core.MemoryBoundMeasurement model=/tmp/qwen3-tiny rows=8 width=128 bound=0
 * </pre>
 *
 * Arguments {@code key=value}: model (folder), rows (8), width (response tokens per row, 128),
 * prompt (prompt tokens, 16), bound ({@code trainer.max.logit.elements}; 0 = the whole head),
 * micro ({@code trainer.micro.batch.rows}, 0), mode (rl or sft). Prompts and responses are random
 * token ids (seed 1); behaviour log-probs −ln V (a near-uniform random model's), advantages ±1.
 */
public final class MemoryBoundMeasurement {

    public static void main(String[] argv) throws IOException {
        Map<String, String> args = new HashMap<>();
        for (String a : argv) {
            int eq = a.indexOf('=');
            args.put(a.substring(0, eq), a.substring(eq + 1));
        }
        int rows = Integer.parseInt(args.getOrDefault("rows", "8"));
        int width = Integer.parseInt(args.getOrDefault("width", "128"));
        int promptLength = Integer.parseInt(args.getOrDefault("prompt", "16"));
        long bound = Long.parseLong(args.getOrDefault("bound", "0"));
        int micro = Integer.parseInt(args.getOrDefault("micro", "0"));
        String mode = args.getOrDefault("mode", "rl");
        try (Policy policy = Policy.load(Path.of(args.get("model")))) {
            int vocab = policy.config().vocabSize();
            Random random = new Random(1);
            List<int[]> prompts = new ArrayList<>();
            List<int[]> responses = new ArrayList<>();
            List<TrainingSample> batch = new ArrayList<>();
            for (int r = 0; r < rows; r++) {
                int[] prompt = random.ints(promptLength, 0, vocab).toArray();
                int[] response = random.ints(width, 0, vocab).toArray();
                float[] behaviour = new float[width];
                java.util.Arrays.fill(behaviour, (float) -Math.log(vocab));
                prompts.add(prompt);
                responses.add(response);
                batch.add(new TrainingSample(prompt, response, behaviour, r % 2 == 0 ? 1f : -1f, false, 1f, width));
            }
            TrainerConfig config = TrainerConfig.defaults().withWarmupSteps(0).withUpdatesPerBatch(1)
                    .withObjective(Objective.defaults().withMaxLogitElements(bound).withMicroBatchRows(micro));
            PolicyTrainer trainer = new PolicyTrainer(policy, config);
            long before = kib("VmHWM");
            long start = System.nanoTime();
            double loss = mode.equals("sft") ? trainer.supervisedStep(prompts, responses)
                    : trainer.rlStep(batch).loss();
            double seconds = (System.nanoTime() - start) / 1e9;
            long after = kib("VmHWM");
            long logits = (long) rows * width * vocab;
            System.out.printf(Locale.ROOT, "mode %s rows %d width %d vocab %d bound %d micro %d: whole-head logits "
                            + "%,d (%.0f MiB fp32), chunked passes %d; peak RSS before the step %.0f MiB, after %.0f "
                            + "MiB (+%.0f MiB); step %.1f s; loss %.4f; grad norm %.4f%n",
                    mode, rows, width, vocab, bound, micro, logits, logits * 4 / 1048576.0, trainer.chunkedPasses(),
                    before / 1024.0, after / 1024.0, (after - before) / 1024.0, seconds, loss, trainer.lastGradNorm());
        }
    }

    /** A field of /proc/self/status in KiB (VmHWM: the peak resident set). */
    private static long kib(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException(field + " not in /proc/self/status");
    }
}
