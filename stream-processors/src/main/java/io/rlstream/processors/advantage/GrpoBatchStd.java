package io.rlstream.processors.advantage;

import java.util.ArrayList;
import java.util.List;

/**
 * GRPO with the std of the whole batch instead of the group's (the group-mean, batch-std
 * normalisation of "Lite PPO", Liu et al., arXiv 2508.08221; TRL's {@code GRPOTrainer} with
 * {@code scale_rewards="batch"}):
 *
 * <pre>
 *   A_i = (r_i − mean_g) / (std_batch + ε)
 * </pre>
 *
 * <p>mean_g is the mean of the sample's group, std_batch the standard deviation of the rewards of
 * all samples of the training batch (sample std, ÷(N − 1), by default as {@code torch.std} in
 * TRL; {@link Grpo.Std#POPULATION} divides by N). The group baseline keeps the comparison within a
 * prompt; the batch-wide scale stops near-unanimous groups, whose std_g is tiny, from getting
 * huge advantages. ε = 1e-6 as for {@link Grpo} (TRL adds 1e-4).
 *
 * <p>Two stages: the group stage subtracts mean_g (G = 1: no baseline, equal rewards: exactly 0,
 * see {@link GroupBaseline}); the batch stage divides by std_batch + ε. If all rewards of the
 * batch are equal, every advantage is 0, also for lone samples whose group stage kept r.
 */
public final class GrpoBatchStd implements AdvantageEstimator {

    /** Registry name. */
    public static final String NAME = "grpo-batch-std";
    /** One-line formula for listings. */
    public static final String FORMULA = "(r_i - mean_g) / (std_batch + eps)";

    private final Grpo.Std std;
    private final double epsilon;

    /** Sample std, ε = 1e-6. */
    public GrpoBatchStd() {
        this(Grpo.Std.SAMPLE, Grpo.DEFAULT_EPSILON);
    }

    public GrpoBatchStd(Grpo.Std std, double epsilon) {
        AdvantageOptions checked = new AdvantageOptions(std, epsilon);
        this.std = checked.std();
        this.epsilon = checked.epsilon();
    }

    @Override
    public float[] advantages(GroupRewards group) {
        return GroupBaseline.centered(group);
    }

    @Override
    public List<float[]> normalizeBatch(List<GroupRewards> groups, List<float[]> advantages) {
        BatchShape.requireMatching(groups, advantages);
        int n = 0;
        double sum = 0;
        for (GroupRewards group : groups) {
            for (int i = 0; i < group.size(); i++) {
                sum += group.reward(i);
                n++;
            }
        }
        List<float[]> out = new ArrayList<>(groups.size());
        if (n == 0 || allRewardsEqual(groups)) {
            // std_batch is exactly 0 (or undefined for one sample): nothing to prefer in this batch.
            for (GroupRewards group : groups) {
                out.add(new float[group.size()]);
            }
            return out;
        }
        double mean = sum / n;
        double squares = 0;
        for (GroupRewards group : groups) {
            for (int i = 0; i < group.size(); i++) {
                squares += (group.reward(i) - mean) * (group.reward(i) - mean);
            }
        }
        double scale = Math.sqrt(squares / (std == Grpo.Std.SAMPLE ? n - 1 : n)) + epsilon;
        for (float[] a : advantages) {
            float[] scaled = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                scaled[i] = (float) (a[i] / scale);
            }
            out.add(scaled);
        }
        return out;
    }

    @Override
    public boolean hasBatchStage() {
        return true;
    }

    private static boolean allRewardsEqual(List<GroupRewards> groups) {
        Double first = null;
        for (GroupRewards group : groups) {
            for (int i = 0; i < group.size(); i++) {
                if (first == null) {
                    first = group.reward(i);
                } else if (group.reward(i) != first) {
                    return false;
                }
            }
        }
        return true;
    }

    public Grpo.Std std() {
        return std;
    }

    public double epsilon() {
        return epsilon;
    }
}
