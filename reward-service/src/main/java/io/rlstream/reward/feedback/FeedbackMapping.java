package io.rlstream.reward.feedback;

import java.text.Normalizer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Maps a user's reaction to a served response ({@code UserFeedback.reaction} and
 * {@code UserFeedback.value}) to a scalar reward, by rule. RLUF (Han et al. 2025, "Reinforcement
 * Learning from User Feedback", arXiv 2505.14946) learns from such implicit, binary or emoji
 * reactions in production; docs/algorithms.md#user-feedback lets a model or a rule map them to rewards, and this is
 * the rule.
 *
 * <p>Configured from a spec of {@code reaction=rule} entries separated by commas:
 * <ul>
 *   <li>{@code thumbs_up=1}, {@code 😡=-1}: a fixed reward for the reaction; {@code value} is ignored;</li>
 *   <li>{@code stars=1..5}: a numeric rating in {@code value}, rescaled linearly from [min, max] to
 *       [−1, 1]: {@code 2 (v − min) / (max − min) − 1}, so 1 → −1, 3 → 0, 4 → 0.5, 5 → 1;</li>
 *   <li>{@code score=value}: the numeric {@code value} used as the reward as it is.</li>
 * </ul>
 *
 * <p>Reactions are matched after normalisation, so that the same reaction typed by different
 * clients is one reaction: surrounding spaces are dropped, text is NFC-normalised and lower-cased,
 * and emoji presentation selectors (U+FE0E, U+FE0F) and skin-tone modifiers (U+1F3FB–U+1F3FF) are
 * removed ({@code ❤️} = {@code ❤}, {@code 👍🏽} = {@code 👍}, {@code Thumbs_Up} = {@code thumbs_up}).
 *
 * <p>An unknown reaction, or a rating rule whose {@code value} is missing, not finite or outside
 * [min, max], gives an empty result: the caller counts it and must never use it as a zero reward.
 * Immutable and thread-safe.
 */
public final class FeedbackMapping {

    /** How one reaction becomes a reward. */
    public sealed interface Rule permits Fixed, Rescaled, AsIs {
        OptionalDouble reward(Double value);
    }

    /** The same reward whatever the value. */
    public record Fixed(double reward) implements Rule {
        public Fixed {
            if (!Double.isFinite(reward)) {
                throw new IllegalArgumentException("a fixed feedback reward must be finite, got " + reward);
            }
        }

        @Override
        public OptionalDouble reward(Double value) {
            return OptionalDouble.of(reward);
        }
    }

    /** A rating in [min, max] rescaled linearly to [−1, 1]. */
    public record Rescaled(double min, double max) implements Rule {
        public Rescaled {
            if (!Double.isFinite(min) || !Double.isFinite(max) || min >= max) {
                throw new IllegalArgumentException("a rating scale needs finite min < max, got " + min + ".." + max);
            }
        }

        @Override
        public OptionalDouble reward(Double value) {
            if (value == null || !Double.isFinite(value) || value < min || value > max) {
                return OptionalDouble.empty();
            }
            return OptionalDouble.of(2.0 * (value - min) / (max - min) - 1.0);
        }
    }

    /** The rating used as the reward as it is. */
    public record AsIs() implements Rule {
        @Override
        public OptionalDouble reward(Double value) {
            return value == null || !Double.isFinite(value) ? OptionalDouble.empty() : OptionalDouble.of(value);
        }
    }

    static final String EXAMPLE = "thumbs_up=1,thumbs_down=-1,❤️=1,😡=-1,stars=1..5,score=value";

    private final Map<String, Rule> rules;

    /**
     * @param rules reaction → rule; reactions are normalised (see the class comment), and two that
     *              normalise to the same reaction are rejected
     */
    public FeedbackMapping(Map<String, Rule> rules) {
        if (rules == null || rules.isEmpty()) {
            throw new IllegalArgumentException("a feedback mapping needs at least one reaction, e.g. " + EXAMPLE);
        }
        Map<String, Rule> normalised = new LinkedHashMap<>();
        rules.forEach((reaction, rule) -> {
            String key = reaction == null ? "" : normalise(reaction);
            if (key.isEmpty()) {
                throw new IllegalArgumentException("feedback reactions must not be blank; got " + rules.keySet());
            }
            if (rule == null) {
                throw new IllegalArgumentException("feedback reaction '" + reaction + "' has no rule");
            }
            if (normalised.put(key, rule) != null) {
                throw new IllegalArgumentException("feedback reaction '" + reaction + "' is given twice (as '" + key
                        + "' after normalisation)");
            }
        });
        this.rules = Collections.unmodifiableMap(normalised);
    }

    /**
     * Parses {@code reaction=rule,...}, where a rule is a number (fixed reward), {@code min..max}
     * (rating rescaled to [−1, 1]) or {@code value} (rating as is), e.g.
     * {@code thumbs_up=1,thumbs_down=-1,❤️=1,😡=-1,stars=1..5,score=value}.
     *
     * @throws IllegalArgumentException naming the malformed entry and showing the expected form
     */
    public static FeedbackMapping parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty feedback mapping; expected reaction=reward pairs, e.g. " + EXAMPLE);
        }
        Map<String, Rule> rules = new LinkedHashMap<>();
        Map<String, String> seen = new LinkedHashMap<>();
        String[] entries = spec.split(",", -1);
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i].trim();
            int eq = entry.indexOf('=');
            if (eq < 0 || eq != entry.lastIndexOf('=')) {
                throw malformed(i, entry, "is not reaction=reward");
            }
            String reaction = entry.substring(0, eq).trim();
            if (normalise(reaction).isEmpty()) {
                throw malformed(i, entry, "has no reaction");
            }
            String previous = seen.put(normalise(reaction), reaction);
            if (previous != null) {
                throw malformed(i, entry, "repeats reaction '" + previous + "'");
            }
            rules.put(reaction, rule(i, entry, entry.substring(eq + 1).trim()));
        }
        return new FeedbackMapping(rules);
    }

    private static Rule rule(int index, String entry, String text) {
        if (text.equalsIgnoreCase("value")) {
            return new AsIs();
        }
        int range = text.indexOf("..");
        try {
            if (range >= 0) {
                double min = Double.parseDouble(text.substring(0, range).trim());
                double max = Double.parseDouble(text.substring(range + 2).trim());
                if (!Double.isFinite(min) || !Double.isFinite(max) || min >= max) {
                    throw malformed(index, entry, "has rating scale '" + text + "'; it needs finite min < max");
                }
                return new Rescaled(min, max);
            }
            double reward = Double.parseDouble(text);
            if (!Double.isFinite(reward)) {
                throw malformed(index, entry, "has reward '" + text + "', which is not finite");
            }
            return new Fixed(reward);
        } catch (NumberFormatException e) {
            throw malformed(index, entry, "has '" + text + "', which is neither a number, min..max nor 'value'");
        }
    }

    private static IllegalArgumentException malformed(int index, String entry, String problem) {
        return new IllegalArgumentException("feedback mapping entry " + (index + 1) + " '" + entry + "' " + problem
                + "; expected reaction=reward pairs separated by commas, where a reward is a number, a rating scale"
                + " min..max (rescaled to [-1, 1]) or 'value' (the rating as is), e.g. " + EXAMPLE);
    }

    /**
     * @param reaction the reaction as given ({@code UserFeedback.reaction})
     * @param value    the numeric rating, when the reaction has one ({@code UserFeedback.value})
     * @return the reward, or empty when the reaction is unknown or its rating cannot be mapped:
     *         count it, never use it as 0
     */
    public OptionalDouble reward(String reaction, Double value) {
        if (reaction == null) {
            return OptionalDouble.empty();
        }
        Rule rule = rules.get(normalise(reaction));
        return rule == null ? OptionalDouble.empty() : rule.reward(value);
    }

    /** Whether the reaction has a rule, to tell an unknown reaction from an unusable rating. */
    public boolean knows(String reaction) {
        return reaction != null && rules.containsKey(normalise(reaction));
    }

    /** The configured reactions, normalised, in configuration order. */
    public Set<String> reactions() {
        return rules.keySet();
    }

    /** The configured rules by normalised reaction. */
    public Map<String, Rule> rules() {
        return rules;
    }

    static String normalise(String reaction) {
        String nfc = Normalizer.normalize(reaction.strip(), Normalizer.Form.NFC);
        StringBuilder out = new StringBuilder(nfc.length());
        nfc.codePoints()
                .filter(cp -> cp != 0xFE0E && cp != 0xFE0F && (cp < 0x1F3FB || cp > 0x1F3FF))
                .forEach(out::appendCodePoint);
        return out.toString().toLowerCase(Locale.ROOT);
    }
}
