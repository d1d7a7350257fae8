package io.rlstream.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings whose values are the constants of an enum, spelled as users type them: the constant's
 * name lower-cased with '_' as '-' ({@code SEQ_MEAN_TOKEN_SUM_NORM} is
 * {@code seq-mean-token-sum-norm}), or its {@link ConfigSpelling#configName()}. Declare the key
 * with {@link #validator} and {@link #spelling} as default, read it with
 * {@link ServiceConfig#getEnum}; nobody upper-cases strings into {@code valueOf}.
 */
public final class EnumSetting {

    private EnumSetting() {
    }

    /** The value a setting takes to choose {@code constant}. */
    public static String spelling(Enum<?> constant) {
        if (constant instanceof ConfigSpelling spelled) {
            return spelled.configName();
        }
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The spellings of every constant, in declaration order. */
    public static <E extends Enum<E>> List<String> spellings(Class<E> type) {
        List<String> out = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            out.add(spelling(constant));
        }
        return out;
    }

    /**
     * The constant spelled {@code value}.
     *
     * @throws ConfigException naming the key, the value and the allowed spellings
     */
    public static <E extends Enum<E>> E parse(Class<E> type, String key, Object value) {
        for (E constant : type.getEnumConstants()) {
            if (spelling(constant).equals(value)) {
                return constant;
            }
        }
        throw new ConfigException(key, value, "expected one of " + String.join(", ", spellings(type)));
    }

    /** Accepts exactly the spellings of {@code type}; its {@code toString} lists them for the docs. */
    public static <E extends Enum<E>> ConfigDef.Validator validator(Class<E> type) {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String key, Object value) {
                parse(type, key, value);
            }

            @Override
            public String toString() {
                return "[" + String.join(", ", spellings(type)) + "]";
            }
        };
    }
}
