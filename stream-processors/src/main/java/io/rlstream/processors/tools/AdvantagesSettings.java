package io.rlstream.processors.tools;

import io.rlstream.config.EnumSetting;
import io.rlstream.processors.advantage.AdvantageEstimators;
import io.rlstream.processors.advantage.AdvantageOptions;
import io.rlstream.processors.advantage.Grpo;
import java.util.List;
import java.util.Locale;

/**
 * The flags of {@code rlstream advantages}, checked: {@code --estimator NAME}, {@code --std},
 * {@code --epsilon}, {@code --batch-groups}; each as {@code --flag value} or {@code --flag=value}.
 *
 * @param batchGroups groups per batch for estimators with a batch stage; {@link Integer#MAX_VALUE}
 *                    for "all of stdin"
 */
record AdvantagesSettings(String estimator, AdvantageOptions options, int batchGroups) {

    /** @throws IllegalArgumentException saying which flag is wrong, what it expects and what came */
    static AdvantagesSettings parse(List<String> args) {
        String estimator = null;
        Grpo.Std std = AdvantageOptions.defaults().std();
        double epsilon = AdvantageOptions.defaults().epsilon();
        int batchGroups = Integer.MAX_VALUE;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException(arg.startsWith("-")
                        ? "unknown option '" + arg + "'"
                        : "unexpected argument '" + arg + "'; groups are read from stdin");
            }
            int equals = arg.indexOf('=');
            String flag = equals < 0 ? arg : arg.substring(0, equals);
            String value;
            if (equals >= 0) {
                value = arg.substring(equals + 1);
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            switch (flag) {
                case "--estimator" -> estimator = estimator(value);
                case "--std" -> std = std(value);
                case "--epsilon" -> epsilon = epsilon(value);
                case "--batch-groups" -> batchGroups = batchGroups(value);
                default -> throw new IllegalArgumentException("unknown option '" + flag + "'");
            }
        }
        if (estimator == null) {
            throw new IllegalArgumentException("--estimator is required; known: " + AdvantageEstimators.FAMILY.names());
        }
        return new AdvantagesSettings(estimator, new AdvantageOptions(std, epsilon), batchGroups);
    }

    private static String estimator(String value) {
        if (!AdvantageEstimators.FAMILY.contains(value)) {
            throw new IllegalArgumentException("--estimator must be one of " + AdvantageEstimators.FAMILY.names() + ", got '" + value + "'");
        }
        return value;
    }

    private static Grpo.Std std(String value) {
        // the spellings of advantage.std, in any case
        for (Grpo.Std std : Grpo.Std.values()) {
            if (EnumSetting.spelling(std).equals(value.toLowerCase(Locale.ROOT))) {
                return std;
            }
        }
        throw new IllegalArgumentException("--std must be " + String.join(" or ", EnumSetting.spellings(Grpo.Std.class))
                + ", got '" + value + "'");
    }

    private static double epsilon(String value) {
        double epsilon;
        try {
            epsilon = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            epsilon = Double.NaN;
        }
        if (!(epsilon >= 0) || Double.isInfinite(epsilon)) {
            throw new IllegalArgumentException("--epsilon must be a finite number >= 0, got '" + value + "'");
        }
        return epsilon;
    }

    private static int batchGroups(String value) {
        try {
            int groups = Integer.parseInt(value);
            if (groups >= 1) {
                return groups;
            }
        } catch (NumberFormatException e) {
            // reported below with the value as it came
        }
        throw new IllegalArgumentException("--batch-groups must be a whole number >= 1, got '" + value + "'");
    }
}
