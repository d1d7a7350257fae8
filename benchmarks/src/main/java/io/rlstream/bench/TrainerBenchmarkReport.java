package io.rlstream.bench;

import io.rlstream.bench.TrainerBenchmark.Result;
import io.rlstream.bench.TrainerBenchmark.Row;
import io.rlstream.bench.TrainerBenchmark.Settings;
import io.rlstream.model.PolicyConfig;
import io.rlstream.model.hf.DecoderConfig;
import io.rlstream.trainer.core.TrainerConfig;
import java.math.BigDecimal;
import java.util.Locale;

/** The trainer benchmark's report: the step table, the per-batch costs beside it, then what was measured. */
final class TrainerBenchmarkReport {

    private TrainerBenchmarkReport() {
    }

    static String format(Result r) {
        StringBuilder s = new StringBuilder();
        TrainerConfig t = r.trainerConfig();
        s.append(String.format(Locale.ROOT, "training step (PolicyTrainer.rlStep, %d updates per batch), device %s:%n",
                t.updatesPerBatch(), r.device()));
        s.append(String.format(Locale.ROOT, "%-9s%7s%14s%13s%12s%12s%10s%11s%7s%10s%8s%n", "threads", "steps",
                "samples/step", "tokens/step", "s/step p50", "s/step p90", "tokens/s", "samples/s", "cores", "GFLOP/s",
                "% peak"));
        for (Row row : r.rows()) {
            s.append(String.format(Locale.ROOT, "%-9s%7d%14.0f%13.1f%12.3f%12.3f%10.0f%11.1f%7.2f%10.2f%7.1f%%%n",
                    threads(row), row.steps(), row.samplesPerStep(), row.tokensPerStep(), row.step().p50(),
                    row.step().p90(), row.tokensPerSecond(), row.samplesPerSecond(), row.coresUsed(), row.gflops(),
                    row.percentOfPeak()));
        }
        s.append('\n');
        s.append("per batch, the same batches: forward-only log-probs (no gradient, as for pi_prox or a reference "
                + "policy)\nand sampling the batch (not part of the step):\n");
        s.append(String.format(Locale.ROOT, "%-9s%13s%13s%15s%17s%14s%14s%n", "threads", "forward p50", "forward p90",
                "forward tok/s", "forward / step", "sampling p50", "sampling p90"));
        for (Row row : r.rows()) {
            double forwardTokensPerSecond = row.forward().total() > 0 ? row.tokens() / row.forward().total() : 0;
            s.append(String.format(Locale.ROOT, "%-9s%13.3f%13.3f%15.0f%17s%14.3f%14.3f%n", threads(row),
                    row.forward().p50(), row.forward().p90(), forwardTokensPerSecond,
                    String.format(Locale.ROOT, "%.0f%%", 100 * row.forward().p50() / row.step().p50()),
                    row.sampling().p50(), row.sampling().p90()));
        }
        s.append('\n');
        Settings st = r.settings();
        PolicyConfig p = r.policyConfig();
        s.append(String.format(Locale.ROOT,
                "batches: B %d groups x G %d samples of addition prompts (%s), responses of up to %d tokens "
                        + "sampled from the\n         policy being trained (temperature %s), advantages +1/-1; "
                        + "seed %d%n",
                st.batchGroups(), st.groupSize(), p != null ? r.promptTokens() + " tokens"
                        : "up to " + r.promptTokens() + " tokens with the model's tokenizer",
                st.responseTokens(), trim(t.temperature()), st.seed()));
        for (Row row : r.rows()) {
            s.append(String.format(Locale.ROOT,
                    "         %s: %.2f loss tokens per sample, %.0f%% of the %.1f padded response positions per "
                            + "step;%n           mean ratio %.4f, clip fraction %.4f%n", threads(row),
                    row.samples() > 0 ? (double) row.tokens() / row.samples() : 0,
                    row.paddedTokens() > 0 ? 100.0 * row.tokens() / row.paddedTokens() : 0,
                    (double) row.paddedTokens() / row.steps(), row.meanRatio(), row.clipFraction()));
        }
        if (p != null) {
            s.append(String.format(Locale.ROOT,
                    "policy: %s layers x width %d, %d heads, MLP %d, vocabulary %d, context %d%s;%n"
                            + "        %s, PyTorch threads intra-op x inter-op as in the first column%n",
                    p.layers(), p.embedDim(), p.heads(), p.mlpHidden(), p.vocabSize(), p.contextLength(),
                    p.equals(PolicyConfig.demo()) ? " (PolicyConfig.demo())"
                            : " (PolicyConfig.demo() with the context grown to fit)",
                    r.engine()));
        } else {
            DecoderConfig c = r.modelConfig();
            s.append(String.format(Locale.ROOT,
                    "policy: %s (%s, %s parameters): %d layers x width %d, %d heads (%d kv), MLP %d, vocabulary %d, "
                            + "context %d;%n        %s, PyTorch threads intra-op x inter-op as in the first column%n",
                    st.model(), c.architecture().modelType(), ModelShape.label(c.parameterCount()),
                    c.numHiddenLayers(), c.hiddenSize(), c.numAttentionHeads(), c.numKeyValueHeads(),
                    c.intermediateSize(), c.vocabSize(), c.maxPositionEmbeddings(), r.engine()));
        }
        s.append(String.format(Locale.ROOT,
                "trainer: TrainerConfig.defaults(): lr %s, %d warm-up and %d decay steps, clip %s/%s, dual clip %s, "
                        + "%s%n", trim(t.learningRate()), t.warmupSteps(), t.decaySteps(), trim(t.clipLow()),
                trim(t.clipHigh()), trim(t.dualClip()), t.aggregation()));
        s.append(String.format(Locale.ROOT,
                "timing: %d warm-up steps untimed, then %d timed; tokens/s and samples/s = sum over the timed steps / "
                        + "their summed time;\n        cores = process CPU time / wall time during the steps; "
                        + "%d cores available; load average %s before, %s after%n",
                st.warmupSteps(), st.steps(), Runtime.getRuntime().availableProcessors(), load(r.loadBefore()),
                load(r.loadAfter())));
        s.append(String.format(Locale.ROOT,
                "FLOPs: per step, a forward pass without gradient + %d x forward and backward over the padded batch "
                        + "(B x G rows,\n        longest prompt + longest response - 1 positions): 6 x body parameters "
                        + "per position + 12 x L x heads x\n        head_dim x positions per position (PaLM app. B) + "
                        + "6 x vocab x hidden per response position, a forward\n        pass a third of that "
                        + "(ModelFlops, as rlstream bench model); GFLOP/s = FLOPs of the timed steps / their time%n",
                t.updatesPerBatch()));
        for (Row row : r.rows()) {
            s.append(String.format(Locale.ROOT,
                    "peak:   %s: fp32 matmul %.1f GFLOP/s (%d x %d, best of %d, right after the steps, same threads)"
                            + "; %% peak = GFLOP/s / that%n", threads(row), row.peak().gflops(), row.peak().n(),
                    row.peak().n(), ModelBenchmark.PEAK_REPEATS));
        }
        for (String note : r.notes()) {
            s.append("note: ").append(note).append('\n');
        }
        return s.toString();
    }

    private static String threads(Row row) {
        return row.threads() + " x " + row.interopThreads();
    }

    private static String load(double load) {
        return load < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f", load);
    }

    private static String trim(double value) {
        return new BigDecimal(Double.toString(value)).stripTrailingZeros().toPlainString();
    }
}
