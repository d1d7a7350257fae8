package io.rlstream.bench;

import io.rlstream.bench.ModelBenchmark.Result;
import io.rlstream.bench.ModelBenchmark.Row;
import io.rlstream.model.hf.DecoderConfig;
import java.util.Locale;

/** {@code rlstream bench model}'s table, the peak line and what the columns mean; and its CSV. */
final class ModelBenchmarkReport {

    static final String CSV_HEADER = "model,params,layers,hidden,heads,kv_heads,intermediate,vocab,device,threads,"
            + "batch,prompt_tokens,response_tokens,step_s,train_tokens_per_s,train_gflops,peak_gflops,"
            + "percent_of_peak,gen_batch,new_tokens,gen_s,gen_tokens_per_s,recompute_tokens_per_s";

    private ModelBenchmarkReport() {
    }

    static String format(Result r) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%-12s%9s%9s%13s%10s%8s%11s%9s%n", "model", "params", "step s",
                "train tok/s", "GFLOP/s", "% peak", "gen tok/s", "gen s"));
        for (Row row : r.rows()) {
            s.append(String.format(Locale.ROOT, "%-12s%9s%9.3f%13.0f%10.2f%7.1f%%%11.1f%9.3f%n", row.label(),
                    ModelShape.label(row.parameters()), row.stepSeconds(), row.trainTokensPerSecond(),
                    row.trainGflops(), row.percentOfPeak(), row.genTokensPerSecond(), row.genSeconds()));
        }
        s.append(String.format(Locale.ROOT, "fp32 matmul peak: %.1f GFLOP/s (%d x %d, best of %d) on %s, %s, "
                + "PyTorch threads %d x %d%n", r.peak().gflops(), r.peak().n(), r.peak().n(),
                ModelBenchmark.PEAK_REPEATS, r.device(), r.engine(), r.threads(), r.interopThreads()));
        for (Row row : r.rows()) {
            if (!Double.isNaN(row.recomputeTokensPerSecond())) {
                s.append(String.format(Locale.ROOT, "KV cache at %s: %.1f tok/s against %.1f tok/s recomputing the "
                        + "whole sequence per token: %.2fx%n", row.label(), row.genTokensPerSecond(),
                        row.recomputeTokensPerSecond(), row.genTokensPerSecond() / row.recomputeTokensPerSecond()));
            }
        }
        ModelBenchmark.Settings st = r.settings();
        s.append(String.format(Locale.ROOT, "training: B %d x (P %d + R %d); train tok/s counts B x (P + R - 1) = %d "
                + "positions through the decoder per step; GFLOP/s = (6 x body parameters x positions + 12 x L x "
                + "heads x head_dim x T per position (PaLM app. B) + 6 x vocab x hidden x B x R for the head) / "
                + "step s%n", st.batch(), st.promptTokens(), st.responseTokens(),
                st.batch() * ModelFlops.positions(st.promptTokens(), st.responseTokens())));
        s.append(String.format(Locale.ROOT, "generation: %d prompts of %d tokens, %d new tokens each, KV cache, "
                + "temperature 1, no stop tokens%n", st.genBatch(), st.promptTokens(), st.newTokens()));
        return s.toString();
    }

    static String csv(Result r) {
        StringBuilder s = new StringBuilder(CSV_HEADER).append('\n');
        ModelBenchmark.Settings st = r.settings();
        for (Row row : r.rows()) {
            DecoderConfig c = row.config();
            s.append(String.join(",", row.label(), Long.toString(row.parameters()),
                    Integer.toString(c.numHiddenLayers()), Integer.toString(c.hiddenSize()),
                    Integer.toString(c.numAttentionHeads()), Integer.toString(c.numKeyValueHeads()),
                    Integer.toString(c.intermediateSize()), Integer.toString(c.vocabSize()), r.device(),
                    Integer.toString(r.threads()), Integer.toString(st.batch()), Integer.toString(st.promptTokens()),
                    Integer.toString(st.responseTokens()), num(row.stepSeconds()), num(row.trainTokensPerSecond()),
                    num(row.trainGflops()), num(r.peak().gflops()), num(row.percentOfPeak()),
                    Integer.toString(st.genBatch()), Integer.toString(st.newTokens()), num(row.genSeconds()),
                    num(row.genTokensPerSecond()), Double.isNaN(row.recomputeTokensPerSecond()) ? ""
                            : num(row.recomputeTokensPerSecond()))).append('\n');
        }
        return s.toString();
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }
}
