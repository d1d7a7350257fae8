package io.rlstream.bench;

import io.rlstream.processors.config.ProcessorsConfig;
import io.rlstream.trainer.service.TrainerServiceConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training objectives {@code rlstream bench objectives} compares, each a named preset: the
 * trainer's and the processors' settings that select it, applied over the demo's own. Every preset
 * sets the keys it depends on explicitly, also where they equal today's defaults, so that a change
 * of a default does not silently change what a preset measures. None has a KL term: the demo's
 * default (trainer.kl.coef = 0), DAPO removes it, and group mode refuses one.
 * Formulas: docs/algorithms.md.
 */
final class ObjectivePresets {

    /**
     * One objective.
     *
     * @param name       what --objectives calls it
     * @param what       one line: what it is and its source
     * @param trainer    trainer settings (trainer.*)
     * @param processors settings of the processors and the dispatcher
     */
    record Preset(String name, String what, Map<String, String> trainer, Map<String, String> processors) {

        /** Every setting, trainer's first, as {@code key=value} in the order declared. */
        List<String> settingLines() {
            List<String> lines = new ArrayList<>();
            trainer.forEach((k, v) -> lines.add(k + "=" + v));
            processors.forEach((k, v) -> lines.add(k + "=" + v));
            return lines;
        }

        /**
         * Builds the trainer's and the processors' configurations from these settings, which
         * validates every value and combination as the services do at start.
         *
         * @throws org.apache.kafka.common.config.ConfigException what is wrong, with the key
         * @throws IllegalArgumentException a key that the service it was given to does not declare
         */
        void validate() {
            requireDeclared(trainer, TrainerServiceConfig.DEFINITION.names(), "trainer");
            requireDeclared(processors, ProcessorsConfig.DEFINITION.names(), "processors");
            new TrainerServiceConfig(trainer);
            new ProcessorsConfig(processors);
        }

        private void requireDeclared(Map<String, String> settings, java.util.Set<String> declared, String service) {
            for (String key : settings.keySet()) {
                if (!declared.contains(key)) {
                    // a setting that was renamed or removed would otherwise be ignored without a word
                    throw new IllegalArgumentException("objective " + name + ": the " + service + " have no setting '"
                            + key + "' (rlstream config --help lists them)");
                }
            }
        }
    }

    static final String GRPO = "grpo";
    static final String DAPO = "dapo";
    static final String GSPO = "gspo";
    static final String NFT = "nft";
    static final String LIPO = "lipo-lambda";
    static final String ONLINE_DPO = "online-dpo";

    /** All presets, in the order the table lists them; GRPO is the baseline. */
    static final List<Preset> ALL = List.of(
            new Preset(GRPO, "GRPO (DeepSeekMath, arXiv 2402.03300): symmetric PPO clip, per-sequence mean, no dynamic sampling",
                    ordered(TrainerServiceConfig.MODE, "rl",
                            TrainerServiceConfig.POLICY_LOSS, "ppo-clip",
                            TrainerServiceConfig.CLIP_LOW, "0.2",
                            TrainerServiceConfig.CLIP_HIGH, "0.2",
                            TrainerServiceConfig.AGGREGATION, "seq-mean-token-mean"),
                    ordered(ProcessorsConfig.ADVANTAGE_ESTIMATOR, "grpo",
                            ProcessorsConfig.GROUP_FILTER, "none")),
            new Preset(DAPO, "DAPO (arXiv 2503.14476): clip-higher 0.28, dynamic sampling, token-mean aggregation",
                    ordered(TrainerServiceConfig.MODE, "rl",
                            TrainerServiceConfig.POLICY_LOSS, "ppo-clip",
                            TrainerServiceConfig.CLIP_LOW, "0.2",
                            TrainerServiceConfig.CLIP_HIGH, "0.28",
                            TrainerServiceConfig.AGGREGATION, "token-mean"),
                    ordered(ProcessorsConfig.ADVANTAGE_ESTIMATOR, "grpo",
                            ProcessorsConfig.GROUP_FILTER, "dynamic-sampling")),
            new Preset(GSPO, "GSPO (arXiv 2507.18071): one length-normalised ratio per sequence, clipped at 3e-4/4e-4;"
                    + " otherwise GRPO's",
                    ordered(TrainerServiceConfig.MODE, "rl",
                            TrainerServiceConfig.POLICY_LOSS, "gspo",
                            TrainerServiceConfig.GSPO_CLIP_LOW, "3e-4",
                            TrainerServiceConfig.GSPO_CLIP_HIGH, "4e-4",
                            TrainerServiceConfig.AGGREGATION, "seq-mean-token-mean"),
                    ordered(ProcessorsConfig.ADVANTAGE_ESTIMATOR, "grpo",
                            ProcessorsConfig.GROUP_FILTER, "none")),
            // NVlabs/NFT trains one epoch per batch (ppo_epoch=1): NFT has no clip, so later epochs are
            // unbounded (docs/algorithms.md#group-objectives recommends 1 for their recipe).
            new Preset(NFT, "NFT (arXiv 2505.18116): negative-aware fine-tuning on the group's success rate, one epoch"
                    + " per batch as NVlabs/NFT",
                    ordered(TrainerServiceConfig.MODE, "group",
                            TrainerServiceConfig.GROUP_OBJECTIVE, "nft",
                            TrainerServiceConfig.UPDATES_PER_BATCH, "1",
                            TrainerServiceConfig.AGGREGATION, "token-mean"),
                    ordered(ProcessorsConfig.GROUP_FILTER, "dynamic-sampling")),
            new Preset(LIPO, "LiPO-lambda (arXiv 2402.01878): the group as a ranked list, lambda-weighted pairwise"
                    + " logistic loss against the reference policy, beta 0.1",
                    ordered(TrainerServiceConfig.MODE, "group",
                            TrainerServiceConfig.GROUP_OBJECTIVE, "lipo-lambda",
                            TrainerServiceConfig.PREFERENCE_BETA, "0.1"),
                    ordered(ProcessorsConfig.GROUP_FILTER, "dynamic-sampling")),
            // One pair per group whose rewards differ, which with dynamic sampling are exactly the groups
            // kept: 16 pairs per step (the demo's batch.groups B) is one step per training batch, as the
            // dispatcher's lag gate (dispatch.max-batches-ahead, one trained version per batch) assumes.
            // With the default 32 (two batches per version) the gate closes after the first steps and
            // generation stalls: 2 steps in 60 s in the first smoke run (2026-12-06).
            new Preset(ONLINE_DPO, "online DPO (arXiv 2305.18290) on the pairs the processors build from each group"
                    + " (best vs worst response, ties skipped), beta 0.1, one step per batch's worth of pairs",
                    ordered(TrainerServiceConfig.MODE, "preference",
                            TrainerServiceConfig.PREFERENCE_LOSS, "dpo",
                            TrainerServiceConfig.PREFERENCE_BETA, "0.1",
                            TrainerServiceConfig.PAIRS_PER_STEP, "16"),
                    ordered(ProcessorsConfig.PAIRS, "true",
                            ProcessorsConfig.GROUP_FILTER, "dynamic-sampling")));

    private ObjectivePresets() {
    }

    static List<String> names() {
        return ALL.stream().map(Preset::name).toList();
    }

    /** The preset called {@code name}; an {@link IllegalArgumentException} that lists the known ones otherwise. */
    static Preset named(String name) {
        return ALL.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "unknown objective '" + name + "'; known: " + String.join(", ", names())));
    }

    /** The settings of every preset, one line each, for the usage text and docs/benchmarks.md. */
    static String describe() {
        StringBuilder s = new StringBuilder();
        for (Preset p : ALL) {
            s.append(String.format("  %-12s %s%n", p.name(), String.join(" ", p.settingLines())));
        }
        return s.toString();
    }

    private static Map<String, String> ordered(String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return Collections.unmodifiableMap(m);
    }
}
