package io.rlstream.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.config.EnumSetting;
import io.rlstream.testkit.AlgorithmSettings;
import io.rlstream.trainer.core.LossAggregations;
import io.rlstream.trainer.core.Objective;
import io.rlstream.trainer.core.PolicyLoss;
import io.rlstream.trainer.core.PolicyLosses;
import io.rlstream.trainer.core.TrainerConfig;
import io.rlstream.trainer.objective.ImportanceCorrection;
import io.rlstream.trainer.objective.KlEstimator;
import io.rlstream.trainer.objective.KlEstimators;
import io.rlstream.trainer.objective.OffPolicyCorrections;
import io.rlstream.trainer.objective.PreferenceLosses;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class TrainerServiceConfigTest {

    /** Each setting that chooses an algorithm accepts exactly its family's names, and the docs list them. */
    @Test
    void algorithmSettingsAreValidatedByTheirFamilies() {
        AlgorithmSettings.assertValidatedByFamilies(TrainerServiceConfig.DEFINITION, TrainerServiceConfig::new, List.of(
                PolicyLosses.FAMILY, LossAggregations.FAMILY, KlEstimators.FAMILY,
                OffPolicyCorrections.FAMILY, PreferenceLosses.FAMILY));
    }

    @Test
    void theDefaultsAreTheRecipe() {
        TrainerConfig c = new TrainerServiceConfig(Map.of()).trainerConfig();
        assertEquals(TrainerConfig.defaults(), c);
        assertEquals("ppo-clip", c.policyLoss());
        assertEquals(new TrainerServiceConfig(Map.of()).preferenceLoss().toString(),
                PreferenceLosses.FAMILY.create("dpo", new PreferenceLosses.Weights(0.1, 1)).toString());
    }

    @Test
    void theValuesUsersTypeChooseTheAlgorithms() {
        TrainerConfig c = new TrainerServiceConfig(Map.of(
                "trainer.kl.estimator", "k1", "trainer.kl.placement", "reward",
                "trainer.offpolicy.correction", "mis", "trainer.offpolicy.level", "sequence",
                "trainer.loss.aggregation", "seq-mean-token-sum-norm")).trainerConfig();
        Objective o = c.objective();
        assertEquals(KlEstimator.K1, o.klEstimator());
        assertEquals(Objective.KlPlacement.REWARD, o.klPlacement());
        assertEquals(ImportanceCorrection.Mode.MIS, o.correction());
        assertEquals(ImportanceCorrection.Level.SEQUENCE, o.correctionLevel());
        assertEquals(PolicyLoss.Aggregation.SEQ_MEAN_TOKEN_SUM_NORM, c.aggregation());
        assertTrue(new TrainerServiceConfig(Map.of("trainer.preference.loss", "ipo", "trainer.preference.beta", "0.5"))
                .preferenceLoss().toString().contains("IPO"));
    }

    /** trainer.max.logit.elements: 2^26 (256 MiB of fp32 logits) unless set; 0 turns chunking off; negative refused. */
    @Test
    void theLogitBoundDefaultsTo256MiBAndIsCarriedToTheObjective() {
        assertEquals(1L << 26, new TrainerServiceConfig(Map.of()).trainerConfig().objective().maxLogitElements());
        assertEquals(256L * 1024 * 1024, 4 * Objective.DEFAULT_MAX_LOGIT_ELEMENTS, "fp32: 4 bytes per logit");
        assertEquals(0, new TrainerServiceConfig(Map.of("trainer.max.logit.elements", "0")).trainerConfig()
                .objective().maxLogitElements());
        assertEquals(5_000_000_000L, new TrainerServiceConfig(Map.of("trainer.max.logit.elements", "5000000000",
                "trainer.micro.batch.rows", "4")).trainerConfig().objective().maxLogitElements());
        assertThrows(ConfigException.class, () -> new TrainerServiceConfig(Map.of("trainer.max.logit.elements", "-1")));
    }

    @Test
    void enumSettingsAcceptExactlyTheirSpellings() {
        roundTrips(TrainerServiceConfig.MODE, TrainerMode.class);
        roundTrips(TrainerServiceConfig.KL_PLACEMENT, Objective.KlPlacement.class);
        roundTrips(TrainerServiceConfig.CORRECTION_LEVEL, ImportanceCorrection.Level.class);
        assertEquals("[rl, preference, sft, group]",
                TrainerServiceConfig.DEFINITION.configKeys().get(TrainerServiceConfig.MODE).validator.toString());
        // the aggregations are a family, but their names are still the constants' spellings
        assertEquals(EnumSetting.spellings(PolicyLoss.Aggregation.class), LossAggregations.FAMILY.names());
        for (PolicyLoss.Aggregation a : PolicyLoss.Aggregation.values()) {
            assertEquals(a, LossAggregations.FAMILY.create(EnumSetting.spelling(a), null));
        }
    }

    private static <E extends Enum<E>> void roundTrips(String key, Class<E> type) {
        for (E constant : type.getEnumConstants()) {
            assertEquals(constant, new TrainerServiceConfig(Map.of(key, EnumSetting.spelling(constant))).getEnum(key, type));
        }
        // the Java name is not a spelling users type
        ConfigException e = assertThrows(ConfigException.class,
                () -> new TrainerServiceConfig(Map.of(key, type.getEnumConstants()[0].name())));
        assertTrue(e.getMessage().contains(key) && e.getMessage().contains(String.join(", ", EnumSetting.spellings(type))),
                e.getMessage());
    }

    /**
     * Issue 15, fix 5: the adaptive KL controller multiplies β (β ← β·(1 + e·n/horizon)), so with
     * trainer.kl.coef = 0 a target did nothing, silently; now the start is refused, naming the key.
     */
    @Test
    void anAdaptiveKlTargetWithoutAStartingCoefficientIsRejected() {
        ConfigException e = assertThrows(ConfigException.class, () -> new TrainerServiceConfig(
                Map.of(TrainerServiceConfig.KL_TARGET, "0.1", TrainerServiceConfig.KL_COEF, "0")));
        assertTrue(e.getMessage().contains(TrainerServiceConfig.KL_TARGET), e.getMessage());
        assertTrue(e.getMessage().contains(TrainerServiceConfig.KL_COEF), e.getMessage());
        assertEquals(0.1, new TrainerServiceConfig(Map.of(TrainerServiceConfig.KL_TARGET, "0.1",
                TrainerServiceConfig.KL_COEF, "0.001")).trainerConfig().objective().klTarget(), 0);
    }

    @org.junit.jupiter.api.Test
    void checkpointDtypeIsF32UnlessBf16IsAsked() {
        assertEquals(io.rlstream.model.safetensors.Dtype.F32, new TrainerServiceConfig(java.util.Map.of()).checkpointDtype());
        assertEquals(io.rlstream.model.safetensors.Dtype.BF16,
                new TrainerServiceConfig(java.util.Map.of(TrainerServiceConfig.CHECKPOINT_DTYPE, "bf16")).checkpointDtype());
        org.junit.jupiter.api.Assertions.assertThrows(org.apache.kafka.common.config.ConfigException.class,
                () -> new TrainerServiceConfig(java.util.Map.of(TrainerServiceConfig.CHECKPOINT_DTYPE, "fp16")));
    }
}
