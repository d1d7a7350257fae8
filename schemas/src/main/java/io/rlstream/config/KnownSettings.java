package io.rlstream.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The keys a service accepts, so that a misspelt one stops it at start instead of being ignored
 * (issue 20: {@code rlstream trainer --set nope=1} used to start): the keys its {@link ConfigDef}
 * declares, Kafka client keys ({@link KafkaClientKeys}), Kafka's {@code config.providers} keys,
 * and keys under a prefix that passes them to someone else ({@link #PASSTHROUGH_PREFIXES}). An
 * unknown key is a {@link ConfigException} that names it and, where one is close, the valid key
 * it was probably meant to be ({@code group.szie} → {@code group.size}).
 */
public final class KnownSettings {

    /** Prefixes whose keys go, prefix stripped or not, to a Kafka client, the registry serde or another serde. */
    public static final List<String> PASSTHROUGH_PREFIXES = List.of(ServiceConfig.KAFKA_PASSTHROUGH_PREFIX,
            ServiceConfig.REGISTRY_PASSTHROUGH_PREFIX, ServiceConfig.SERDE_CONFIG_PREFIX,
            AbstractConfig.CONFIG_PROVIDERS_CONFIG + ".");

    private KnownSettings() {
    }

    /** Whether a service declaring {@code declared} accepts {@code key}. */
    public static boolean accepts(Set<String> declared, String key) {
        return declared.contains(key) || KafkaClientKeys.contains(key)
                || key.equals(AbstractConfig.CONFIG_PROVIDERS_CONFIG)
                || PASSTHROUGH_PREFIXES.stream().anyMatch(p -> key.startsWith(p) && key.length() > p.length());
    }

    /** Throws a {@link ConfigException} naming every key of {@code settings} the definition does not accept. */
    public static void requireKnown(ConfigDef definition, Map<?, ?> settings) {
        Set<String> declared = definition.names();
        List<String> unknown = new ArrayList<>();
        for (String key : new TreeSet<>(settings.keySet().stream().map(String::valueOf).toList())) {
            if (!accepts(declared, key)) {
                unknown.add("'" + key + "'" + closest(key, candidates(declared)).map(c -> " (did you mean " + c + "?)")
                        .orElse(""));
            }
        }
        if (!unknown.isEmpty()) {
            throw new ConfigException((unknown.size() == 1 ? "unknown setting " : "unknown settings ")
                    + String.join(", ", unknown) + ". A service takes its own settings (rlstream config SERVICE,"
                    + " docs/configuration.md), Kafka client settings (security.protocol, sasl.jaas.config, ...),"
                    + " and keys " + String.join(", ", PASSTHROUGH_PREFIXES.stream().map(p -> p + "*").toList()) + ".");
        }
    }

    /** The keys a misspelling is compared with: the service's own and Kafka's. */
    static Collection<String> candidates(Set<String> declared) {
        Set<String> all = new TreeSet<>(declared);
        all.addAll(KafkaClientKeys.NAMES);
        return all;
    }

    /**
     * The candidate closest to {@code key} by edit distance (insertions, deletions, substitutions and
     * swaps of neighbours count one each), if it is close enough to be a misspelling: at most a third
     * of the key's length apart, and at least two edits allowed. Ties go to the first in sorted order.
     */
    public static Optional<String> closest(String key, Collection<String> candidates) {
        return closest(key, candidates, Math.max(2, key.length() / 3));
    }

    /** The candidate closest to {@code key} by edit distance, if at most {@code limit} edits apart. */
    public static Optional<String> closest(String key, Collection<String> candidates, int limit) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : new TreeSet<>(candidates)) {
            int d = distance(key, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return bestDistance <= limit ? Optional.of(best) : Optional.empty();
    }

    /**
     * Optimal string alignment distance (Levenshtein plus the swap of two neighbouring characters,
     * the commonest typo: Damerau 1964, as in Wikipedia's "Damerau–Levenshtein distance").
     */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
