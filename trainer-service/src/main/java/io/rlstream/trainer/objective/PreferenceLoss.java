package io.rlstream.trainer.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import io.rlstream.model.autograd.Scalars;

/**
 * Losses on preference pairs (chosen c, rejected r) against a frozen reference policy
 * (docs/algorithms.md#preference-losses). From sequence log-probabilities (sums over response tokens):
 *
 * <pre>
 *   s = (log π(c) − log π_ref(c)) − (log π(r) − log π_ref(r))
 *   DPO  mean softplus(−β·s) = mean −log σ(β·s)            Rafailov et al. 2023, arXiv 2305.18290
 *   IPO  mean (s − 1/(2β))², s from length-averaged        Azar et al. 2023, arXiv 2310.12036
 *        log-probabilities log π(y)/|y| (TRL loss_type="ipo")
 *   RPO  DPO + α·mean(−log π(c)/|c|)                        Pang et al. 2024, arXiv 2404.19733
 * </pre>
 *
 * β = 0.1, α = 1. DPO is TRL's "sigmoid" loss without label smoothing, computed as a softplus so
 * that large |β·s| neither overflows nor loses the gradient. RPO's NLL term here is the mean over
 * pairs of each chosen response's per-token NLL; TRL's {@code rpo_alpha} instead averages over all
 * chosen tokens of the batch, which weighs long responses more. The gradient flows through the
 * policy's log-probabilities; the reference's are detached. Diagnostics as TRL's: reward accuracy
 * is the share of pairs with s &gt; 0 (implicit reward β·s of chosen above rejected) and the margin
 * the mean of β·s, both with the s of the loss (length-averaged for IPO).
 */
public final class PreferenceLoss {

    /** Which loss. */
    public enum Kind { DPO, IPO, RPO }

    /**
     * @param loss scalar NDArray carrying the autograd graph
     * @param rewardAccuracy share of pairs with s &gt; 0
     * @param meanMargin mean of β·s over pairs
     */
    public record Result(NDArray loss, double rewardAccuracy, double meanMargin) {}

    /** β of DPO (docs/algorithms.md#preference-losses). */
    public static final double DEFAULT_BETA = 0.1;
    /** α of RPO (docs/algorithms.md#preference-losses). */
    public static final double DEFAULT_ALPHA = 1;

    private final Kind kind;
    private final double beta;
    private final double alpha;

    /**
     * @param kind DPO, IPO or RPO
     * @param beta β &gt; 0: the inverse temperature of DPO; IPO's target margin is 1/(2β)
     * @param alpha α ≥ 0, weight of RPO's NLL on the chosen response; ignored by DPO and IPO
     */
    public PreferenceLoss(Kind kind, double beta, double alpha) {
        if (kind == null) {
            throw new IllegalArgumentException("kind is required: one of DPO, IPO, RPO");
        }
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("beta must be a finite number > 0, got " + beta
                    + " (DPO uses 0.1)");
        }
        if (!(alpha >= 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("alpha must be a finite number >= 0, got " + alpha
                    + " (RPO uses 1)");
        }
        this.kind = kind;
        this.beta = beta;
        this.alpha = alpha;
    }

    /** DPO with β = 0.1. */
    public static PreferenceLoss dpo() {
        return new PreferenceLoss(Kind.DPO, DEFAULT_BETA, DEFAULT_ALPHA);
    }

    /**
     * @param chosenLogps (B) log π(c), sums over the chosen response's tokens, with gradient
     * @param rejectedLogps (B) log π(r), with gradient
     * @param refChosenLogps (B) log π_ref(c)
     * @param refRejectedLogps (B) log π_ref(r)
     * @param chosenLengths (B) |c| in tokens, &gt; 0; used by IPO and RPO, may be null for DPO
     * @param rejectedLengths (B) |r| in tokens, &gt; 0; used by IPO, may be null for DPO and RPO
     */
    public Result compute(NDArray chosenLogps, NDArray rejectedLogps, NDArray refChosenLogps,
            NDArray refRejectedLogps, NDArray chosenLengths, NDArray rejectedLengths) {
        requireSameShape(chosenLogps, "chosenLogps", rejectedLogps, "rejectedLogps");
        requireSameShape(chosenLogps, "chosenLogps", refChosenLogps, "refChosenLogps");
        requireSameShape(chosenLogps, "chosenLogps", refRejectedLogps, "refRejectedLogps");
        NDArray chosen = chosenLogps;
        NDArray rejected = rejectedLogps;
        NDArray refChosen = refChosenLogps.stopGradient();
        NDArray refRejected = refRejectedLogps.stopGradient();
        if (kind == Kind.IPO) {
            NDArray chosenLength = lengths(chosenLengths, "chosenLengths", chosenLogps);
            NDArray rejectedLength = lengths(rejectedLengths, "rejectedLengths", chosenLogps);
            chosen = chosen.div(chosenLength);
            refChosen = refChosen.div(chosenLength);
            rejected = rejected.div(rejectedLength);
            refRejected = refRejected.div(rejectedLength);
        }
        NDArray s = chosen.sub(refChosen).sub(rejected.sub(refRejected));
        NDArray loss = switch (kind) {
            case DPO, RPO -> Activation.softPlus(Scalars.times(s, -beta)).mean();
            case IPO -> s.sub((float) (1 / (2 * beta))).square().mean();
        };
        if (kind == Kind.RPO && alpha > 0) {
            NDArray chosenLength = lengths(chosenLengths, "chosenLengths", chosenLogps);
            // the constant takes the loss's type (a double one would turn a 0-d float32 loss into float64)
            loss = loss.add(Scalars.times(chosenLogps.neg().div(chosenLength).mean(), alpha));
        }
        NDArray constant = s.stopGradient();
        double accuracy = scalar(constant.gt(0).toType(DataType.FLOAT64, false).mean());
        double margin = beta * scalar(constant.mean());
        return new Result(loss, accuracy, margin);
    }

    private static NDArray lengths(NDArray lengths, String name, NDArray like) {
        if (lengths == null) {
            throw new IllegalArgumentException(name + " is required for length-normalised losses"
                    + " (IPO, RPO): the response lengths in tokens");
        }
        requireSameShape(like, "chosenLogps", lengths, name);
        NDArray constant = lengths.stopGradient().toType(like.getDataType(), false);
        double shortest = scalar(constant.min());
        if (!(shortest > 0)) {
            throw new IllegalArgumentException(name + " must all be > 0 tokens, got a smallest of "
                    + shortest + "; drop empty responses before building pairs");
        }
        return constant;
    }

    private static void requireSameShape(NDArray a, String aName, NDArray b, String bName) {
        if (!a.getShape().equals(b.getShape()) || a.getShape().dimension() != 1) {
            throw new IllegalArgumentException("expected " + aName + " and " + bName
                    + " of one shape (B), got " + a.getShape() + " and " + b.getShape());
        }
    }

    private static double scalar(NDArray value) {
        return value.toType(DataType.FLOAT64, false).getDouble();
    }

    @Override
    public String toString() {
        return "PreferenceLoss[" + kind + ", beta " + beta
                + (kind == Kind.RPO ? ", alpha " + alpha : "") + "]";
    }
}
