package io.rlstream.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class EnumSettingTest {

    enum Aggregation { TOKEN_MEAN, SEQ_MEAN_TOKEN_SUM_NORM }

    enum Std implements ConfigSpelling {
        SAMPLE, POPULATION;

        @Override
        public String configName() {
            return this == SAMPLE ? "n-1" : "n";
        }
    }

    private static ServiceConfig config(Map<String, String> values) {
        ConfigDef def = ServiceConfig.baseDef()
                .define("loss.aggregation", Type.STRING, EnumSetting.spelling(Aggregation.TOKEN_MEAN),
                        EnumSetting.validator(Aggregation.class), Importance.LOW, "how")
                .define("std", Type.STRING, EnumSetting.spelling(Std.SAMPLE), EnumSetting.validator(Std.class),
                        Importance.LOW, "which");
        return new ServiceConfig(def, values);
    }

    @Test
    void spellingIsTheLowerCaseNameWithDashesUnlessTheConstantSpellsItself() {
        assertEquals(List.of("token-mean", "seq-mean-token-sum-norm"), EnumSetting.spellings(Aggregation.class));
        assertEquals(List.of("n-1", "n"), EnumSetting.spellings(Std.class));
    }

    @Test
    void everyConstantRoundTripsThroughItsSpelling() {
        for (Aggregation a : Aggregation.values()) {
            assertEquals(a, config(Map.of("loss.aggregation", EnumSetting.spelling(a)))
                    .getEnum("loss.aggregation", Aggregation.class));
        }
        for (Std s : Std.values()) {
            assertEquals(s, config(Map.of("std", s.configName())).getEnum("std", Std.class));
        }
        assertEquals(Aggregation.TOKEN_MEAN, config(Map.of()).getEnum("loss.aggregation", Aggregation.class));
    }

    @Test
    void aWrongValueIsAConfigExceptionNamingTheKeyAndTheAllowedValues() {
        for (String wrong : List.of("TOKEN_MEAN", "token_mean", "Token-Mean", "")) {
            var e = assertThrows(ConfigException.class, () -> config(Map.of("loss.aggregation", wrong)));
            assertTrue(e.getMessage().contains("loss.aggregation")
                    && e.getMessage().contains("token-mean, seq-mean-token-sum-norm"), e.getMessage());
        }
    }

    @Test
    void theValidatorListsTheSpellingsForTheDocs() {
        assertEquals("[token-mean, seq-mean-token-sum-norm]", EnumSetting.validator(Aggregation.class).toString());
        String md = ServiceConfig.markdown(ServiceConfig.baseDef()
                .define("std", Type.STRING, "n-1", EnumSetting.validator(Std.class), Importance.LOW, "which"));
        assertTrue(md.contains("| `std` | string | `n-1` | [n-1, n] | which |"), md);
    }
}
