package io.rlstream.trainer.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.ArrayList;
import java.util.List;
import io.rlstream.model.autograd.Scalars;

/**
 * LiPO-λ, listwise preference optimisation with the LambdaLoss weights (Liu et al. 2024, arXiv
 * 2402.01878, eq. 8; LambdaLoss, Wang et al. 2018, as TF-Ranking's {@code DCGLambdaWeight}; no
 * public PyTorch implementation exists, this follows the paper and TF-Ranking;
 * docs/algorithms.md#group-objectives). A group of scored responses is a ranked list with labels
 * ψ_i = r_i; against the frozen reference policy:
 *
 * <pre>
 *   s_i   = β·(log π_θ(y_i) − log π_ref(y_i))           sequence log-probabilities (sums over tokens)
 *   τ_i   = rank of y_i when the list is sorted by s, descending, from 1 (ties: the earlier row first)
 *   G_i   = 2^ψ_i − 1,   D(τ) = log2(1 + τ)
 *   Δ_ij  = |G_i − G_j|·|1/D(τ_i) − 1/D(τ_j)|
 *   L     = mean over groups of  Σ_{ψ_i &gt; ψ_j} Δ_ij·log(1 + exp(−(s_i − s_j)))
 * </pre>
 *
 * Δ is a constant for the gradient (the ranks are a sort). D uses log2 as TF-Ranking's default
 * discount (the paper writes log; the base only scales every Δ alike). Groups without a pair of
 * different rewards add nothing and are not counted in the mean; a truncated response (all of its
 * tokens masked) takes no part. β = {@code trainer.preference.beta} (0.1).
 */
public final class LipoLambda implements GroupObjective {

    /** Registry name ({@code trainer.group.objective}). */
    public static final String NAME = "lipo-lambda";
    /** The loss in one line. */
    public static final String FORMULA =
            "mean_groups sum_{r_i>r_j} |G_i-G_j|*|1/D(t_i)-1/D(t_j)| * softplus(-(s_i-s_j)); s = beta*log(pi/pi_ref), "
                    + "G = 2^r - 1, D(t) = log2(1+t), t the rank by s";

    private final double beta;

    /** @param beta β &gt; 0 of the implicit reward β·log(π/π_ref) */
    public LipoLambda(double beta) {
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("LiPO-lambda needs a finite beta > 0, got " + beta
                    + " (trainer.preference.beta)");
        }
        this.beta = beta;
    }

    /** One weighted pair: the better row, the worse row and Δ. */
    record Pair(int better, int worse, double weight) {
    }

    /**
     * The pairs of every group with their λ weights, from the current scores.
     *
     * @param scores s of each row (constants)
     * @param rewards ψ of each row
     * @param groups group of each row, rows of a group together
     * @param active whether the row takes part (a truncated response does not)
     * @param perGroup out: the number of groups with at least one pair is added as its first element
     */
    static List<Pair> pairs(double[] scores, double[] rewards, int[] groups, boolean[] active, int[] perGroup) {
        List<Pair> out = new ArrayList<>();
        int start = 0;
        while (start < rewards.length) {
            int end = start;
            while (end < rewards.length && groups[end] == groups[start]) {
                end++;
            }
            int[] rank = new int[end - start];
            for (int i = start; i < end; i++) {
                if (!active[i]) {
                    continue;
                }
                int r = 1;
                for (int j = start; j < end; j++) {
                    if (active[j] && j != i && (scores[j] > scores[i] || (scores[j] == scores[i] && j < i))) {
                        r++;
                    }
                }
                rank[i - start] = r;
            }
            int before = out.size();
            for (int i = start; i < end; i++) {
                for (int j = start; j < end; j++) {
                    if (active[i] && active[j] && rewards[i] > rewards[j]) {
                        double gain = Math.abs(Math.pow(2, rewards[i]) - Math.pow(2, rewards[j]));
                        double discount = Math.abs(1 / log2(1 + rank[i - start]) - 1 / log2(1 + rank[j - start]));
                        out.add(new Pair(i, j, gain * discount));
                    }
                }
            }
            if (out.size() > before) {
                perGroup[0]++;
            }
            start = end;
        }
        return out;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    @Override
    public Result compute(Input input) {
        NDArray mask = input.mask();
        int rows = input.rewards().length;
        if (input.refLogprobs() == null) {
            throw new IllegalArgumentException("LiPO-lambda needs the reference policy's log-probabilities");
        }
        NDArray sequence = input.logprobs().mul(mask).sum(new int[] {1});
        NDArray reference = input.refLogprobs().stopGradient().mul(mask).sum(new int[] {1});
        NDArray s = Scalars.times(sequence.sub(reference), beta);
        float[] lengths = mask.sum(new int[] {1}).toFloatArray();
        double[] scores = s.stopGradient().toType(DataType.FLOAT64, false).toDoubleArray();
        boolean[] active = new boolean[rows];
        for (int i = 0; i < rows; i++) {
            active[i] = lengths[i] > 0;
        }
        int[] groupsWithPairs = new int[1];
        List<Pair> pairs = pairs(scores, input.rewards(), input.groups(), active, groupsWithPairs);
        if (pairs.isEmpty()) {
            return new Result(Scalars.times(sequence.sum(), 0), 0, 0, 1, 0, 0);
        }
        int p = pairs.size();
        float[] select = new float[p * rows];
        float[] weights = new float[p];
        double correct = 0;
        double margin = 0;
        for (int k = 0; k < p; k++) {
            Pair pair = pairs.get(k);
            select[k * rows + pair.better()] = 1f;
            select[k * rows + pair.worse()] = -1f;
            weights[k] = (float) (pair.weight() / groupsWithPairs[0]);
            double difference = scores[pair.better()] - scores[pair.worse()];
            correct += difference > 0 ? 1 : 0;
            margin += difference;
        }
        NDArray selection = s.getManager().create(select, new Shape(p, rows));
        NDArray differences = selection.matMul(s.reshape(rows, 1)).reshape(p);
        NDArray loss = Activation.softPlus(differences.neg()).mul(s.getManager().create(weights)).sum();
        return new Result(loss, p, 0, 1, correct / p, margin / p);
    }

    /**
     * The loss is a mean over the groups with a pair of different rewards, and which groups have one
     * does not depend on the scores: a part's weight is its count of such groups over the whole's.
     */
    @Override
    public double share(NDArray mask, double[] rewards, int[] groups, int from, int to, int partWidth) {
        float[] lengths = mask.sum(new int[] {1}).toFloatArray();
        int whole = 0;
        int part = 0;
        int start = 0;
        while (start < rewards.length) {
            int end = start;
            double low = Double.POSITIVE_INFINITY;
            double high = Double.NEGATIVE_INFINITY;
            while (end < rewards.length && groups[end] == groups[start]) {
                if (lengths[end] > 0) {
                    low = Math.min(low, rewards[end]);
                    high = Math.max(high, rewards[end]);
                }
                end++;
            }
            if (high > low) {
                whole++;
                part += start >= from && end <= to ? 1 : 0;
            }
            start = end;
        }
        return whole == 0 ? 0 : (double) part / whole;
    }

    @Override
    public boolean needsReference() {
        return true;
    }

    @Override
    public String toString() {
        return "LiPO-lambda[beta " + beta + "]";
    }
}
