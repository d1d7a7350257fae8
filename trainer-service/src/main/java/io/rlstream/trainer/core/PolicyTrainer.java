package io.rlstream.trainer.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.Pair;
import io.rlstream.model.Policy;
import io.rlstream.model.autograd.Scalars;
import io.rlstream.model.TokenLogprobs;
import io.rlstream.model.decoder.ResponseScorer;
import io.rlstream.trainer.objective.AdaptiveKlController;
import io.rlstream.trainer.objective.GroupObjective;
import io.rlstream.trainer.objective.ImportanceCorrection;
import io.rlstream.trainer.objective.PreferenceLoss;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Updates a {@link Policy} in place: RL steps with the {@link PolicyLoss clipped surrogate} and the
 * rest of the {@link Objective}, preference steps (DPO, IPO, RPO) and supervised (cross-entropy)
 * steps. Holds the AdamW state and the step count of the learning-rate schedule, so keep one
 * trainer per policy for the whole run (and save both with each checkpoint).
 *
 * <p>An RL step (docs/algorithms.md#policy-losses, docs/algorithms.md#off-policy-corrections):
 * <ol>
 *   <li>with the weights at the start of the step, and without gradient: π_prox (decoupled PPO;
 *       otherwise π_prox = π_behav, the generator's log-probs), π_ref from the frozen reference
 *       policy when there is a KL term, and the behaviour weights π_prox/π_behav, truncated (TIS) or
 *       masked (MIS) as configured;</li>
 *   <li>with the KL in the reward, each token's advantage loses β times the reward-to-go of the
 *       per-token KL penalty, Σ_{t'≥t} k_{t'};</li>
 *   <li>{@code updatesPerBatch} epochs over {@code miniBatches} mini-batches, one optimizer step
 *       each: teacher-forced forward, loss = Σ w_t·ℓ_t / N (+ β·KL in the loss, − entropy bonus),
 *       backward, global gradient-norm clipping, AdamW, gradients zeroed (DJL's PyTorch engine
 *       accumulates them across backward calls);</li>
 *   <li>the adaptive KL controller, if any, moves β towards its target.</li>
 * </ol>
 *
 * <p>Memory (trainer-service/README.md#memory): every pass scores within
 * {@link Objective#maxLogitElements()} ({@link ResponseScoring}: the whole output head, or
 * {@code ResponseScorer} chunk by chunk), and every mode's mini-batch runs in micro-batches of
 * {@link Objective#microBatchRows()} rows (group mode whole groups, preference mode whole pairs),
 * each weighted by its share, so that the accumulated gradient is the one-pass gradient.
 */
public final class PolicyTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyTrainer.class);

    private final Policy policy;
    private final Policy reference;
    private final TrainerConfig config;
    private final Objective objective;
    private final PolicyLoss loss;
    private final ImportanceCorrection correction;
    private final AdaptiveKlController klController;
    private final AdamW optimizer;
    private final ResponseScoring scoring;
    private long skippedUpdates;
    private double lastGradNorm = Double.NaN;
    /** A gradient norm above this is logged with the parameters that carry it (clipping still applies). */
    private static final double SPIKE_NORM = 1e4;
    private final LearningRateSchedule schedule;
    private final List<Pair<String, Parameter>> parameters = new ArrayList<>();

    public PolicyTrainer(Policy policy, TrainerConfig config) {
        this(policy, null, config);
    }

    /**
     * @param reference the frozen reference policy of the KL term and of preference losses; may be
     *                  null when the objective has no KL term and no preference steps are taken
     */
    public PolicyTrainer(Policy policy, Policy reference, TrainerConfig config) {
        this.policy = policy;
        this.reference = reference;
        this.config = config;
        this.objective = config.objective();
        if (objective.needsReference() && reference == null) {
            throw new IllegalArgumentException("the objective has a KL term (coefficient " + objective.klCoef()
                    + ") but no reference policy was given");
        }
        this.loss = PolicyLosses.FAMILY.create(config.policyLoss(), config);
        this.correction = objective.importanceCorrection();
        this.klController = objective.klTarget() > 0
                ? new AdaptiveKlController(objective.klCoef(), objective.klTarget(), objective.klHorizon())
                : AdaptiveKlController.fixed(objective.klCoef());
        this.optimizer = new AdamW(0.9, 0.999, 1e-8, config.weightDecay(), policy.model().getNDManager());
        this.scoring = new ResponseScoring(objective.maxLogitElements());
        this.schedule = new LearningRateSchedule(config.learningRate(), config.warmupSteps(), config.decaySteps(), 0.1);
        for (Pair<String, Parameter> entry : policy.parameters()) {
            if (entry.getValue().requiresGradient()) {
                parameters.add(entry);
            }
        }
    }

    /**
     * One RL step on a batch: {@link TrainerConfig#updatesPerBatch()} epochs over the objective's
     * mini-batches. Samples whose tokens are all masked (marked truncated under overlong
     * filtering) do not count; a batch with no token left is skipped and reported with zero tokens.
     */
    public StepStats rlStep(List<TrainingSample> batch) {
        return withoutGradMode(() -> rlStepNoGrad(batch));
    }

    private StepStats rlStepNoGrad(List<TrainingSample> batch) {
        long start = System.nanoTime();
        int n = batch.size();
        List<int[]> prompts = new ArrayList<>(n);
        List<int[]> responses = new ArrayList<>(n);
        int width = 0;
        int maxLength = 0;
        for (TrainingSample sample : batch) {
            prompts.add(sample.promptTokens());
            responses.add(sample.responseTokens());
            width = Math.max(width, sample.responseTokens().length);
            maxLength = Math.max(maxLength, sample.maxLength());
        }
        // Dr.GRPO's constant L: the generation limit (or trainer.loss.max-length); unknown: the longest response.
        long lossLength = maxLength > 0 ? maxLength : width;
        float[] behaviour = new float[n * width];
        float[] advantages = new float[n];
        float[] keep = new float[n];
        for (int b = 0; b < n; b++) {
            TrainingSample sample = batch.get(b);
            System.arraycopy(sample.behaviourLogprobs(), 0, behaviour, b * width, sample.behaviourLogprobs().length);
            advantages[b] = sample.advantage();
            keep[b] = config.maskTruncated() && sample.truncated() ? 0f : 1f;
        }
        // Each sample is scored at the temperature it was sampled at (issue 15): scoring at another one
        // biases every importance ratio. trainer.temperature only stands in for samples without one.
        float[] temperatures = new float[n];
        for (int b = 0; b < n; b++) {
            float t = batch.get(b).temperature();
            temperatures[b] = Float.isNaN(t) ? (float) config.temperature() : t;
        }
        double beta = klController.coef();
        Accumulator acc = new Accumulator();
        try (NDManager stepScope = policy.newScope()) {
            NDArray behav = stepScope.create(behaviour, new Shape(n, width));
            NDArray keepArray = stepScope.create(keep, new Shape(n, 1));
            // Step 1: everything that uses the weights at the start of the step, without gradient.
            TokenLogprobs atStart = scoring.constants(policy, stepScope, prompts, responses, temperatures,
                    objective.microBatchRows());
            NDArray mask = atStart.mask().mul(keepArray);
            long tokens = (long) mask.sum().getFloat();
            if (tokens == 0) {
                return StepStats.skipped(elapsedMillis(start));
            }
            NDArray prox = objective.decoupled() ? atStart.logprobs() : behav;
            ImportanceCorrection.Weights weights = correction.weights(prox, behav, mask);
            NDArray ref = null;
            if (objective.needsReference()) {
                ref = scoring.constants(reference, stepScope, prompts, responses, temperatures,
                        objective.microBatchRows()).logprobs();
            }
            // Step 2: the advantage of each token.
            NDArray tokenAdvantages = stepScope.create(advantages, new Shape(n, 1)).broadcast(new Shape(n, width));
            if (ref != null && objective.klPlacement() == Objective.KlPlacement.REWARD) {
                NDArray k = objective.klEstimator().apply(behav, ref).mul(mask);
                // Reward-to-go of the penalty: Σ_{t' ≥ t} k_t' = total − (prefix sum up to t) + k_t.
                NDArray toGo = k.sum(new int[] {1}, true).sub(k.cumSum(1)).add(k);
                tokenAdvantages = tokenAdvantages.sub(Scalars.times(toGo, beta));
            }
            double startKl = ref == null ? 0 : tokenMean(objective.klEstimator().apply(prox, ref), mask);

            // Step 3: epochs over mini-batches.
            int miniBatches = Math.min(objective.miniBatches(), n);
            for (int epoch = 0; epoch < config.updatesPerBatch(); epoch++) {
                for (int m = 0; m < miniBatches; m++) {
                    int from = m * n / miniBatches;
                    int to = (m + 1) * n / miniBatches;
                    update(stepScope, prompts.subList(from, to), responses.subList(from, to),
                            Arrays.copyOfRange(temperatures, from, to), from, to,
                            prox, ref, weights.weights(), tokenAdvantages, mask, beta, lossLength, acc);
                }
            }
            // Step 4: the adaptive controller (verl's AdaptiveKLController.update(kl, n_steps = batch size)).
            klController.update(startKl, n);
            return new StepStats(acc.mean(acc.loss), acc.mean(acc.policyLoss), acc.mean(acc.kl), beta,
                    acc.mean(acc.entropy), acc.mean(acc.clip), acc.mean(acc.ratio), acc.gradNorm, weights.mean(),
                    weights.max(), weights.fractionTruncated(), weights.fractionMasked(), tokens,
                    elapsedMillis(start));
        }
    }

    /**
     * One optimizer step on rows [from, to) of the step's arrays, scored in micro-batches of at most
     * {@link Objective#microBatchRows()} rows whose gradients accumulate: each micro-batch's terms are
     * weighted by its share of the mini-batch ({@link PolicyLoss.Aggregation#share}; the token means
     * of KL and entropy by its share of the tokens), so the step equals the one-pass step. Each
     * micro-batch is scored within the logit bound ({@link ResponseScoring}).
     */
    private void update(NDManager stepScope, List<int[]> prompts, List<int[]> responses, float[] temperatures,
            int from, int to,
            NDArray prox, NDArray ref, NDArray weights, NDArray tokenAdvantages, NDArray mask, double beta,
            long lossLength, Accumulator acc) {
        try (NDManager scope = stepScope.newSubManager()) {
            double miniTokens = mask.get(from + ":" + to).sum().getFloat();
            if (miniTokens == 0) {
                return;
            }
            int rows = to - from;
            int micro = objective.microBatchRows() > 0 ? Math.min(objective.microBatchRows(), rows) : rows;
            // objective, policy loss, KL, entropy, clip fraction, ratio: each micro-batch adds its share
            double[] sums = new double[6];
            for (int m0 = 0; m0 < rows; m0 += micro) {
                int m1 = Math.min(rows, m0 + micro);
                List<int[]> microResponses = responses.subList(m0, m1);
                // This micro-batch is padded to its own longest response: take as many columns.
                int microWidth = ResponseScoring.width(microResponses);
                String at = (from + m0) + ":" + (from + m1) + ", 0:" + microWidth;
                NDArray microMask = mask.get(at);
                double microTokens = microMask.sum().getFloat();
                if (microTokens == 0) {
                    continue; // no term: token means skip it, sequence means count its rows as 0
                }
                double share = config.aggregation().share(m1 - m0, rows, microTokens, miniTokens);
                double tokenShare = microTokens / miniTokens;
                double correction = config.aggregation().widthCorrection(microWidth, lossLength);
                scoring.backward(policy, prompts.subList(m0, m1), microResponses, Arrays.copyOfRange(temperatures, m0, m1),
                        entropyUse(), scored -> {
                            PolicyLoss.Result pg = loss.compute(scored.logprobs(), prox.get(at), tokenAdvantages.get(at),
                                    microMask, weights.get(at));
                            NDArray pgLoss = Scalars.times(pg.loss(), correction * share);
                            NDArray term = pgLoss;
                            if (ref != null) {
                                NDArray klTerm = Scalars.times(tokenMeanArray(objective.klEstimator().apply(
                                        scored.logprobs(), ref.get(at)), microMask), tokenShare);
                                sums[2] += klTerm.getFloat();
                                if (objective.klPlacement() == Objective.KlPlacement.LOSS) {
                                    term = term.add(Scalars.times(klTerm, beta));
                                }
                            }
                            NDArray entropy = Scalars.times(tokenMeanArray(scored.entropy(), microMask), tokenShare);
                            sums[3] += entropy.getFloat();
                            if (objective.entropyCoef() > 0) {
                                term = term.sub(Scalars.times(entropy, objective.entropyCoef()));
                            }
                            sums[0] += term.getFloat();
                            sums[1] += pgLoss.getFloat();
                            sums[4] += pg.clipFraction() * tokenShare;
                            sums[5] += pg.meanRatio() * tokenShare;
                            return term;
                        });
            }
            acc.add(sums[0], sums[1], sums[2], sums[3], sums[4], sums[5], applyGradients(scope));
        }
    }

    /**
     * One preference step (DPO, IPO or RPO, docs/algorithms.md#preference-losses) on chosen/rejected pairs against the
     * frozen reference policy.
     */
    public PreferenceStats preferenceStep(List<PreferenceSample> pairs, PreferenceLoss preferenceLoss) {
        return withoutGradMode(() -> preferenceStepNoGrad(pairs, preferenceLoss));
    }

    private PreferenceStats preferenceStepNoGrad(List<PreferenceSample> pairs, PreferenceLoss preferenceLoss) {
        if (reference == null) {
            throw new IllegalStateException("preference losses need the frozen reference policy");
        }
        long start = System.nanoTime();
        int n = pairs.size();
        List<int[]> prompts = new ArrayList<>(2 * n);
        List<int[]> responses = new ArrayList<>(2 * n);
        float[] chosenLengths = new float[n];
        float[] rejectedLengths = new float[n];
        for (PreferenceSample p : pairs) {
            prompts.add(p.promptTokens());
            responses.add(p.chosenTokens());
        }
        for (PreferenceSample p : pairs) {
            prompts.add(p.promptTokens());
            responses.add(p.rejectedTokens());
        }
        for (int i = 0; i < n; i++) {
            chosenLengths[i] = pairs.get(i).chosenTokens().length;
            rejectedLengths[i] = pairs.get(i).rejectedTokens().length;
        }
        float[] ones = new float[2 * n];
        Arrays.fill(ones, 1f);
        // A micro-batch is whole pairs: its chosen and its rejected responses together.
        int perMicro = objective.microBatchRows() > 0 ? Math.max(1, objective.microBatchRows() / 2) : n;
        try (NDManager scope = policy.newScope()) {
            NDArray refSums = scoring.constants(reference, scope, prompts, responses, ones,
                    objective.microBatchRows()).logprobs().sum(new int[] {1});
            // loss, reward accuracy, margin: each a mean over pairs, so a micro-batch of k pairs weighs k/n
            double[] sums = new double[3];
            for (int k0 = 0; k0 < n; k0 += perMicro) {
                int k1 = Math.min(n, k0 + perMicro);
                int k = k1 - k0;
                double share = (double) k / n;
                List<int[]> microPrompts = new ArrayList<>(prompts.subList(k0, k1));
                microPrompts.addAll(prompts.subList(n + k0, n + k1));
                List<int[]> microResponses = new ArrayList<>(responses.subList(k0, k1));
                microResponses.addAll(responses.subList(n + k0, n + k1));
                NDArray refChosen = refSums.get(k0 + ":" + k1);
                NDArray refRejected = refSums.get((n + k0) + ":" + (n + k1));
                NDArray chosenLength = scope.create(Arrays.copyOfRange(chosenLengths, k0, k1));
                NDArray rejectedLength = scope.create(Arrays.copyOfRange(rejectedLengths, k0, k1));
                scoring.backward(policy, microPrompts, microResponses, Arrays.copyOf(ones, 2 * k),
                        ResponseScorer.Entropy.NONE, scored -> {
                            NDArray sums1 = scored.logprobs().sum(new int[] {1});
                            PreferenceLoss.Result result = preferenceLoss.compute(sums1.get("0:" + k),
                                    sums1.get(k + ":" + (2 * k)), refChosen, refRejected, chosenLength, rejectedLength);
                            NDArray weighted = Scalars.times(result.loss(), share);
                            sums[0] += weighted.getFloat();
                            sums[1] += result.rewardAccuracy() * share;
                            sums[2] += result.meanMargin() * share;
                            return weighted;
                        });
            }
            double gradNorm = applyGradients(scope);
            return new PreferenceStats(sums[0], sums[1], sums[2], gradNorm, elapsedMillis(start));
        }
    }

    /**
     * One step of a group objective (NFT, LiPO-λ; docs/algorithms.md#group-objectives) on whole
     * groups: {@link TrainerConfig#updatesPerBatch()} epochs over the objective's mini-batches, each
     * mini-batch whole groups. π_old is π_prox (the weights at the start of the step) with decoupled
     * PPO, else the behaviour log-probabilities; π_ref comes from the frozen reference policy when the
     * objective needs it. Responses marked truncated are masked as in {@link #rlStep}. A step whose
     * objective finds nothing to learn from (no token, or no pair of different rewards) takes no
     * optimizer step and is reported with zero terms. In micro-batches, whole groups each
     * ({@link #groupMicroBatches}), weighted by {@link GroupObjective#share}; the reported terms, rank
     * accuracy and margin are the last mini-batch's over all its micro-batches.
     */
    public GroupStepStats groupStep(List<List<GroupSample>> groups, GroupObjective groupObjective) {
        return withoutGradMode(() -> groupStepNoGrad(groups, groupObjective));
    }

    private GroupStepStats groupStepNoGrad(List<List<GroupSample>> groups,
            GroupObjective groupObjective) {
        if (groupObjective.needsReference() && reference == null) {
            throw new IllegalStateException(groupObjective + " needs the frozen reference policy");
        }
        long start = System.nanoTime();
        List<int[]> prompts = new ArrayList<>();
        List<int[]> responses = new ArrayList<>();
        List<GroupSample> rows = new ArrayList<>();
        List<Integer> groupStarts = new ArrayList<>();
        List<Integer> groupIndex = new ArrayList<>();
        int width = 0;
        for (List<GroupSample> group : groups) {
            if (group.isEmpty()) {
                continue;
            }
            groupStarts.add(rows.size());
            for (GroupSample sample : group) {
                rows.add(sample);
                prompts.add(sample.promptTokens());
                responses.add(sample.responseTokens());
                groupIndex.add(groupStarts.size() - 1);
                width = Math.max(width, sample.responseTokens().length);
            }
        }
        int n = rows.size();
        int groupCount = groupStarts.size();
        groupStarts.add(n);
        if (n == 0) {
            return new GroupStepStats(StepStats.skipped(elapsedMillis(start)), 0, 0, 0);
        }
        float[] behaviour = new float[n * width];
        float[] keep = new float[n];
        double[] rewards = new double[n];
        int[] groupOf = new int[n];
        for (int b = 0; b < n; b++) {
            GroupSample sample = rows.get(b);
            System.arraycopy(sample.behaviourLogprobs(), 0, behaviour, b * width, sample.behaviourLogprobs().length);
            keep[b] = config.maskTruncated() && sample.truncated() ? 0f : 1f;
            rewards[b] = sample.reward();
            groupOf[b] = groupIndex.get(b);
        }
        float[] temperatures = new float[n];
        for (int b = 0; b < n; b++) {
            float t = rows.get(b).temperature();
            temperatures[b] = Float.isNaN(t) ? (float) config.temperature() : t;
        }
        Accumulator acc = new Accumulator();
        long terms = 0;
        double rankAccuracy = 0;
        double margin = 0;
        try (NDManager stepScope = policy.newScope()) {
            NDArray behav = stepScope.create(behaviour, new Shape(n, width));
            NDArray keepArray = stepScope.create(keep, new Shape(n, 1));
            TokenLogprobs atStart = scoring.constants(policy, stepScope, prompts, responses, temperatures,
                    objective.microBatchRows());
            NDArray mask = atStart.mask().mul(keepArray);
            long tokens = (long) mask.sum().getFloat();
            if (tokens == 0) {
                return new GroupStepStats(StepStats.skipped(elapsedMillis(start)), 0, 0, 0);
            }
            NDArray prox = objective.decoupled() ? atStart.logprobs() : behav;
            NDArray ref = groupObjective.needsReference()
                    ? scoring.constants(reference, stepScope, prompts, responses, temperatures,
                            objective.microBatchRows()).logprobs()
                    : null;
            int miniBatches = Math.min(objective.miniBatches(), groupCount);
            for (int epoch = 0; epoch < config.updatesPerBatch(); epoch++) {
                for (int m = 0; m < miniBatches; m++) {
                    int firstGroup = m * groupCount / miniBatches;
                    int endGroup = (m + 1) * groupCount / miniBatches;
                    int from = groupStarts.get(firstGroup);
                    int to = groupStarts.get(endGroup);
                    try (NDManager scope = stepScope.newSubManager()) {
                        int miniWidth = ResponseScoring.width(responses.subList(from, to));
                        NDArray miniMask = mask.get(from + ":" + to + ", 0:" + miniWidth);
                        double miniTokens = miniMask.sum().getFloat();
                        double[] miniRewards = Arrays.copyOfRange(rewards, from, to);
                        int[] miniGroups = Arrays.copyOfRange(groupOf, from, to);
                        // value, objective loss, entropy, and the terms-weighted sums of clip fraction,
                        // ratio, rank accuracy and margin; the count of terms
                        double[] sums = new double[7];
                        long[] miniTerms = new long[1];
                        for (int[] micro : groupMicroBatches(groupStarts, firstGroup, endGroup)) {
                            int a = micro[0];
                            int b = micro[1];
                            List<int[]> microResponses = responses.subList(a, b);
                            int microWidth = ResponseScoring.width(microResponses);
                            String at = a + ":" + b + ", 0:" + microWidth;
                            NDArray microMask = mask.get(at);
                            double microTokens = microMask.sum().getFloat();
                            if (microTokens == 0) {
                                continue;
                            }
                            // the micro-batch's weight in the mini-batch's loss (GroupObjective#share)
                            double share = groupObjective.share(miniMask, miniRewards, miniGroups, a - from, b - from,
                                    microWidth);
                            double tokenShare = microTokens / miniTokens;
                            scoring.backward(policy, prompts.subList(a, b), microResponses,
                                    Arrays.copyOfRange(temperatures, a, b), entropyUse(), scored -> {
                                        GroupObjective.Result result = groupObjective.compute(new GroupObjective.Input(
                                                scored.logprobs(), prox.get(at), ref == null ? null : ref.get(at),
                                                microMask, Arrays.copyOfRange(rewards, a, b),
                                                Arrays.copyOfRange(groupOf, a, b)));
                                        NDArray lossPart = Scalars.times(result.loss(), share);
                                        NDArray entropy = Scalars.times(tokenMeanArray(scored.entropy(), microMask),
                                                tokenShare);
                                        NDArray value = objective.entropyCoef() > 0
                                                ? lossPart.sub(Scalars.times(entropy, objective.entropyCoef()))
                                                : lossPart;
                                        sums[0] += value.getFloat();
                                        sums[1] += lossPart.getFloat();
                                        sums[2] += entropy.getFloat();
                                        sums[3] += result.clipFraction() * result.terms();
                                        sums[4] += result.meanRatio() * result.terms();
                                        sums[5] += result.rankAccuracy() * result.terms();
                                        sums[6] += result.meanMargin() * result.terms();
                                        miniTerms[0] += result.terms();
                                        return value;
                                    });
                        }
                        if (miniTerms[0] == 0) {
                            // nothing to learn from in this mini-batch: no step, and no gradient left behind
                            zeroGradients();
                            continue;
                        }
                        long t = miniTerms[0];
                        terms = t;
                        rankAccuracy = sums[5] / t;
                        margin = sums[6] / t;
                        acc.add(sums[0], sums[1], 0, sums[2], sums[3] / t, sums[4] / t, applyGradients(scope));
                    }
                }
            }
            if (acc.updates == 0) {
                return new GroupStepStats(StepStats.skipped(elapsedMillis(start)), 0, 0, 0);
            }
            StepStats step = new StepStats(acc.mean(acc.loss), acc.mean(acc.policyLoss), 0, 0, acc.mean(acc.entropy),
                    acc.mean(acc.clip), acc.mean(acc.ratio), acc.gradNorm, 1, 1, 0, 0, tokens, elapsedMillis(start));
            return new GroupStepStats(step, terms, rankAccuracy, margin);
        }
    }

    /**
     * One gradient step of cross-entropy on the target tokens only (the prompt is context, not a
     * prediction target), averaged over target tokens.
     *
     * @param prompts prompt tokens (BOS first)
     * @param targets the tokens the policy should produce after each prompt, EOS included
     * @return the loss before the update
     */
    public double supervisedStep(List<int[]> prompts, List<int[]> targets) {
        return withoutGradMode(() -> supervisedStepNoGrad(prompts, targets));
    }

    private double supervisedStepNoGrad(List<int[]> prompts, List<int[]> targets) {
        int n = targets.size();
        long tokens = 0;
        for (int[] target : targets) {
            tokens += target.length;
        }
        if (tokens == 0) {
            throw new IllegalArgumentException("no target tokens to train on in " + n + " rows");
        }
        float[] ones = new float[n];
        Arrays.fill(ones, 1f);
        int micro = objective.microBatchRows() > 0 ? Math.min(objective.microBatchRows(), n) : n;
        double value = 0;
        // Σ over micro-batches of −Σ log π / (all target tokens) = the whole batch's token mean
        float total = tokens;
        for (int m0 = 0; m0 < n; m0 += micro) {
            int m1 = Math.min(n, m0 + micro);
            boolean empty = true;
            for (int[] target : targets.subList(m0, m1)) {
                empty &= target.length == 0;
            }
            if (empty) {
                continue;
            }
            value += scoring.backward(policy, prompts.subList(m0, m1), targets.subList(m0, m1),
                    Arrays.copyOfRange(ones, m0, m1), ResponseScorer.Entropy.NONE,
                    scored -> Scalars.dividedBy(scored.logprobs().sum().neg(), total));
        }
        try (NDManager scope = policy.newScope()) {
            applyGradients(scope);
        }
        return value;
    }

    /** The entropy the losses get: with its gradient under an entropy bonus, else as a metric. */
    private ResponseScorer.Entropy entropyUse() {
        return objective.entropyCoef() > 0 ? ResponseScorer.Entropy.GRADIENT : ResponseScorer.Entropy.VALUE;
    }

    /**
     * Row ranges [from, to) of the micro-batches of the groups [firstGroup, endGroup): whole groups,
     * as many as fit in {@link Objective#microBatchRows()} rows, at least one (a group larger than
     * that is a micro-batch of its own); all of them in one when micro-batches are off.
     */
    private List<int[]> groupMicroBatches(List<Integer> groupStarts, int firstGroup, int endGroup) {
        int limit = objective.microBatchRows();
        List<int[]> out = new ArrayList<>();
        int g = firstGroup;
        while (g < endGroup) {
            int begin = groupStarts.get(g);
            int end = g + 1;
            while (end < endGroup && (limit == 0 || groupStarts.get(end + 1) - begin <= limit)) {
                end++;
            }
            out.add(new int[] {begin, groupStarts.get(end)});
            g = end;
        }
        return out;
    }

    /** Drops the accumulated gradients (PyTorch's zero_() of every parameter's .grad). */
    private void zeroGradients() {
        for (Pair<String, Parameter> parameter : parameters) {
            if (parameter.getValue().getArray().hasGradient()) {
                JniUtils.zeroGrad((PtNDArray) parameter.getValue().getArray());
            }
        }
    }

    public Policy policy() {
        return policy;
    }

    public TrainerConfig config() {
        return config;
    }

    /** The global gradient norm before clipping of the last optimizer step (NaN before the first). */
    double lastGradNorm() {
        return lastGradNorm;
    }

    /** Scoring passes so far that ran the output head in chunks (trainer.max.logit.elements); for tests. */
    long chunkedPasses() {
        return scoring.chunkedPasses();
    }

    /** Optimizer steps taken so far; the learning-rate schedule's position. */
    public long optimizerSteps() {
        return optimizer.steps();
    }

    /** Optimizer steps skipped because the gradient was not finite (the weights were left unchanged). */
    public long skippedUpdates() {
        return skippedUpdates;
    }

    /**
     * The first parameter holding a NaN or an infinity, with the count of such values, or empty when
     * every weight is finite: the check before a checkpoint is written and published. One pass over
     * the weights (|w|'s maximum, which PyTorch makes NaN when any entry is NaN).
     */
    public Optional<String> nonFiniteParameter() {
        try (NDManager scope = policy.newScope()) {
            for (Pair<String, Parameter> parameter : parameters) {
                NDArray weights = parameter.getValue().getArray();
                // every temporary is created on the weights' manager: hand each to the scope
                NDArray abs = scoped(scope, weights.abs());
                NDArray max = scoped(scope, abs.max());
                if (!Float.isFinite(scoped(scope, max.toType(DataType.FLOAT32, false)).getFloat())) {
                    NDArray bad = scoped(scope, scoped(scope, weights.isNaN())
                            .logicalOr(scoped(scope, weights.isInfinite())));
                    long count = scoped(scope, bad.countNonzero()).getLong();
                    return Optional.of(parameter.getKey() + " (" + count + " of " + weights.size()
                            + " values non-finite)");
                }
            }
        }
        return Optional.empty();
    }

    private static NDArray scoped(NDManager scope, NDArray array) {
        array.attach(scope);
        return array;
    }

    /** The learning rate the next optimizer step will use. */
    public double learningRate() {
        return schedule.at(optimizer.steps());
    }

    /** The optimizer, whose state a checkpoint saves. */
    public AdamW optimizer() {
        return optimizer;
    }

    /** β of the KL term now (the adaptive controller moves it). */
    public double klCoef() {
        return klController.coef();
    }

    /** Restores the optimizer state {@link AdamW#save} wrote into a checkpoint, for exact resume. */
    public void loadOptimizer(Path file) {
        optimizer.load(file, policy.model().getNDManager());
    }

    /**
     * Clips the gradients to {@link TrainerConfig#gradClip()} global norm, applies AdamW and zeroes
     * them. Runs after the gradient collector is closed, so the in-place updates are not recorded.
     *
     * @return the global gradient norm before clipping
     */
    private double applyGradients(NDManager scope) {
        List<NDArray> gradients = new ArrayList<>(parameters.size());
        double[] perParameter = new double[parameters.size()];
        double squares = 0;
        for (int i = 0; i < parameters.size(); i++) {
            NDArray gradient = parameters.get(i).getValue().getArray().getGradient();
            gradient.attach(scope); // the handle, not the gradient buffer, is freed with the scope
            gradients.add(gradient);
            perParameter[i] = gradient.square().sum().getFloat();
            if (!Double.isFinite(perParameter[i])) {
                // a float32 sum of squares overflows from entries of about 1e19 on: only then the
                // (4x dearer, measured) float64 sum, which tells a huge gradient from a non-finite one
                perParameter[i] = gradient.toType(DataType.FLOAT64, false).square().sum().getDouble();
            }
            squares += perParameter[i];
        }
        double norm = Math.sqrt(squares);
        lastGradNorm = norm;
        if (!(norm <= SPIKE_NORM)) {
            LOG.warn("gradient norm {} at optimizer step {}; largest: {}", norm, optimizer.steps(),
                    largest(perParameter, 3));
        }
        if (!Double.isFinite(norm)) {
            // A non-finite gradient would make every weight NaN, and the next checkpoint would
            // carry them to every generator: skip the update (Adam's state and the schedule stay
            // where they were), drop the gradients and report the norm, NaN or Infinity.
            for (Pair<String, Parameter> parameter : parameters) {
                // PyTorch's zero_() of the .grad (x - x would keep the NaNs)
                JniUtils.zeroGrad((PtNDArray) parameter.getValue().getArray());
            }
            skippedUpdates++;
            LOG.warn("skipped an optimizer step: the gradient norm is {} (non-finite); weights unchanged", norm);
            return norm;
        }
        float scale = norm > config.gradClip() ? (float) (config.gradClip() / norm) : 1f;
        float learningRate = (float) schedule.at(optimizer.steps());
        for (int i = 0; i < parameters.size(); i++) {
            NDArray gradient = gradients.get(i);
            if (scale < 1f) {
                gradient.muli(scale);
            }
            optimizer.update(parameters.get(i).getKey(), parameters.get(i).getValue().getArray(), gradient,
                    learningRate);
            gradient.subi(gradient);
        }
        return norm;
    }

    /** The {@code count} parameters with the largest gradient norms, for the log. */
    private String largest(double[] squares, int count) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < squares.length; i++) {
            order.add(i);
        }
        order.sort((a, b) -> Double.compare(Double.isNaN(squares[b]) ? Double.MAX_VALUE : squares[b],
                Double.isNaN(squares[a]) ? Double.MAX_VALUE : squares[a]));
        List<String> out = new ArrayList<>();
        for (int i : order.subList(0, Math.min(count, order.size()))) {
            out.add(parameters.get(i).getKey() + " " + String.format(java.util.Locale.ROOT, "%.3g", Math.sqrt(squares[i])));
        }
        return String.join(", ", out);
    }

    /**
     * Runs a step with PyTorch's grad mode off outside the gradient collectors. Grad mode is per
     * thread and on by default; DJL turns it off only on the thread that started the engine. On
     * another thread, the forward passes meant to be constants (π_prox, π_ref) would record graphs
     * that the loss then backpropagates into, and the in-place weight update would be refused.
     */
    private static <T> T withoutGradMode(java.util.function.Supplier<T> step) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return step.get();
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    private static double tokenMean(NDArray perToken, NDArray mask) {
        return tokenMeanArray(perToken, mask).getFloat();
    }

    /** Σ x·mask / Σ mask, as a scalar NDArray (with the graph of x). */
    private static NDArray tokenMeanArray(NDArray perToken, NDArray mask) {
        return perToken.mul(mask).sum().div(mask.sum());
    }

    /** Sums of the per-update values of a step. */
    private static final class Accumulator {
        double loss;
        double policyLoss;
        double kl;
        double entropy;
        double clip;
        double ratio;
        double gradNorm;
        int updates;

        void add(double l, double p, double k, double e, double c, double r, double g) {
            loss += l;
            policyLoss += p;
            kl += k;
            entropy += e;
            clip += c;
            ratio += r;
            gradNorm = g;
            updates++;
        }

        double mean(double sum) {
            return updates == 0 ? 0 : sum / updates;
        }
    }

    private static long elapsedMillis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
