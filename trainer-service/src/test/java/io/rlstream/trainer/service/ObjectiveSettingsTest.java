package io.rlstream.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.trainer.core.PolicyLoss;
import io.rlstream.trainer.core.TrainerConfig;
import io.rlstream.trainer.objective.GroupObjectives;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** The settings of GSPO and of group mode (docs/algorithms.md#policy-losses, #group-objectives). */
class ObjectiveSettingsTest {

    @Test
    void gspoClipsByItsOwnRangeAndAggregatesAsVerlUnlessToldOtherwise() {
        TrainerConfig gspo = new TrainerServiceConfig(Map.of("trainer.policy.loss", "gspo")).trainerConfig();
        // GSPO v2 §5.1 and verl's recipe: 3e-4 / 4e-4, seq-mean-token-mean
        assertEquals(3e-4, gspo.clipLow(), 0.0);
        assertEquals(4e-4, gspo.clipHigh(), 0.0);
        assertEquals(PolicyLoss.Aggregation.SEQ_MEAN_TOKEN_MEAN, gspo.aggregation());
        TrainerConfig told = new TrainerServiceConfig(Map.of("trainer.policy.loss", "gspo",
                "trainer.loss.aggregation", "token-mean", "trainer.gspo.clip.low", "0.001")).trainerConfig();
        assertEquals(PolicyLoss.Aggregation.TOKEN_MEAN, told.aggregation());
        assertEquals(0.001, told.clipLow(), 0.0);
        // ppo-clip keeps its own range and aggregation
        TrainerConfig ppo = new TrainerServiceConfig(Map.of()).trainerConfig();
        assertEquals(0.2, ppo.clipLow(), 0.0);
        assertEquals(PolicyLoss.Aggregation.TOKEN_MEAN, ppo.aggregation());
    }

    @Test
    void groupObjectivesAreChosenByName() {
        ConfigDef.ConfigKey key = TrainerServiceConfig.DEFINITION.configKeys().get(GroupObjectives.FAMILY.setting());
        assertEquals(GroupObjectives.FAMILY.validator().toString(), key.validator.toString());
        assertEquals("nft", key.defaultValue);
        assertTrue(new TrainerServiceConfig(Map.of()).groupObjective().toString().startsWith("NFT[rewards 0.0..1.0"));
        assertEquals("LiPO-lambda[beta 0.2]", new TrainerServiceConfig(Map.of("trainer.mode", "group",
                "trainer.group.objective", "lipo-lambda", "trainer.preference.beta", "0.2")).groupObjective().toString());
        ConfigException unknown = assertThrows(ConfigException.class,
                () -> new TrainerServiceConfig(Map.of("trainer.group.objective", "listmle")));
        assertTrue(unknown.getMessage().contains("nft, lipo-lambda"), unknown.getMessage());
    }

    @Test
    void impossibleCombinationsAreRefusedAtStart() {
        ConfigException kl = assertThrows(ConfigException.class, () -> new TrainerServiceConfig(Map.of(
                "trainer.mode", "group", "trainer.kl.coef", "0.001")));
        assertTrue(kl.getMessage().contains("trainer.kl.coef") && kl.getMessage().contains("group mode"),
                kl.getMessage());
        ConfigException range = assertThrows(ConfigException.class, () -> new TrainerServiceConfig(Map.of(
                "trainer.nft.reward.low", "1", "trainer.nft.reward.high", "1")));
        assertTrue(range.getMessage().contains("trainer.nft.reward.low"), range.getMessage());
    }
}
