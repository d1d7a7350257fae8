package io.rlstream.algorithm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * A family of interchangeable algorithms chosen by one setting (advantage estimators by
 * {@code advantage.estimator}, verifiers by {@code reward.verifier}, ...), as verl's
 * {@code core_algos.py} registers its estimators and losses by name. Each family is declared in
 * one file next to its algorithms; adding an algorithm is its class, one {@link Builder#add} line
 * there, and its test. The setting's validator, the configuration docs, {@code rlstream algorithms}
 * and docs/algorithms.md all read the same entries, so no list of allowed values is copied by hand.
 *
 * <p>{@code none} is an ordinary entry where a setting may turn its stage off: its factory builds
 * the stage that changes nothing.
 *
 * @param <O> the options every entry is built from (a record of the family's settings)
 * @param <T> what the entries are
 */
public final class AlgorithmFamily<O, T> {

    private final String name;
    private final String setting;
    private final String description;
    private final String anchor;
    private final Map<String, Algorithm<O, T>> entries;

    private AlgorithmFamily(String name, String setting, String description, String anchor,
            Map<String, Algorithm<O, T>> entries) {
        this.name = name;
        this.setting = setting;
        this.description = description;
        this.anchor = anchor;
        this.entries = Collections.unmodifiableMap(entries);
    }

    /**
     * Starts declaring a family.
     *
     * @param name        what the family is, plural, e.g. {@code advantage estimators}
     * @param setting     the configuration key that chooses an entry, e.g. {@code advantage.estimator}
     * @param description one line: what the family's algorithms do
     * @param anchor      the section of docs/algorithms.md that explains it (GitHub slug of its heading)
     */
    public static <O, T> Builder<O, T> builder(String name, String setting, String description, String anchor) {
        return new Builder<>(name, setting, description, anchor);
    }

    /** Declares the entries of a family in the order they are listed and documented. */
    public static final class Builder<O, T> {
        private final String name;
        private final String setting;
        private final String description;
        private final String anchor;
        private final Map<String, Algorithm<O, T>> entries = new LinkedHashMap<>();

        private Builder(String name, String setting, String description, String anchor) {
            for (String[] field : new String[][] {{"name", name}, {"setting", setting}, {"description", description},
                    {"docs anchor", anchor}}) {
                if (field[1] == null || field[1].isBlank()) {
                    throw new IllegalArgumentException("an algorithm family needs a " + field[0] + " (family '"
                            + name + "')");
                }
            }
            this.name = name;
            this.setting = setting;
            this.description = description;
            this.anchor = anchor;
        }

        /** One entry; a name already declared in the family is refused. */
        public Builder<O, T> add(String entryName, String formula, String paper, Class<?> implementation,
                Function<O, T> factory) {
            return add(new Algorithm<>(entryName, formula, paper, implementation, factory));
        }

        public Builder<O, T> add(Algorithm<O, T> entry) {
            if (entries.containsKey(entry.name())) {
                throw new IllegalArgumentException(name + ": '" + entry.name() + "' is declared twice");
            }
            entries.put(entry.name(), entry);
            return this;
        }

        public AlgorithmFamily<O, T> build() {
            if (entries.isEmpty()) {
                throw new IllegalArgumentException(name + ": a family needs at least one entry");
            }
            return new AlgorithmFamily<>(name, setting, description, anchor, new LinkedHashMap<>(entries));
        }
    }

    /**
     * The entry called {@code entryName}, built from {@code options}.
     *
     * @throws IllegalArgumentException for an unknown name, naming the family and the known names
     */
    public T create(String entryName, O options) {
        return entry(entryName).create(options);
    }

    /**
     * The entry called {@code entryName}.
     *
     * @throws IllegalArgumentException for an unknown name, naming the family and the known names
     */
    public Algorithm<O, T> entry(String entryName) {
        Algorithm<O, T> entry = entryName == null ? null : entries.get(entryName);
        if (entry == null) {
            throw new IllegalArgumentException("unknown " + singular() + " '" + entryName + "' (" + setting
                    + "); known: " + String.join(", ", names()));
        }
        return entry;
    }

    public boolean contains(String entryName) {
        return entryName != null && entries.containsKey(entryName);
    }

    /** The names in declaration order. */
    public List<String> names() {
        return List.copyOf(entries.keySet());
    }

    /** The entries in declaration order. */
    public List<Algorithm<O, T>> entries() {
        return List.copyOf(entries.values());
    }

    public String name() {
        return name;
    }

    public String setting() {
        return setting;
    }

    public String description() {
        return description;
    }

    /** The section of docs/algorithms.md about this family, e.g. {@code advantage-estimators}. */
    public String anchor() {
        return anchor;
    }

    /**
     * The validator of {@link #setting()}: accepts exactly {@link #names()}. Its {@code toString}
     * lists them, because the generated configuration docs print it as the valid values.
     */
    public ConfigDef.Validator validator() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String key, Object value) {
                if (!(value instanceof String s) || !entries.containsKey(s)) {
                    throw new ConfigException(key, value, "unknown " + singular() + "; known: "
                            + String.join(", ", names()));
                }
            }

            @Override
            public String toString() {
                return "[" + String.join(", ", names()) + "]";
            }
        };
    }

    /** A Markdown table of the entries: name, formula, paper, class. */
    public String markdown() {
        return markdown(type -> "`" + type.getName() + "`");
    }

    /** The same table with the class cell rendered by {@code classCell} (docs/ links it to its source file). */
    public String markdown(java.util.function.Function<Class<?>, String> classCell) {
        StringBuilder out = new StringBuilder("| name | formula | paper | class |\n|---|---|---|---|\n");
        for (Algorithm<O, T> e : entries.values()) {
            out.append("| `").append(e.name()).append("` | ").append(cell(e.formula())).append(" | ")
                    .append(cell(e.paper())).append(" | ").append(classCell.apply(e.implementation())).append(" |\n");
        }
        return out.toString();
    }

    // Pipes inside a cell would end it; asterisks and underscores would turn math into emphasis.
    private static String cell(String text) {
        return text.replace("|", "\\|").replace("*", "\\*").replace("_", "\\_");
    }

    /** "advantage estimators" -> "advantage estimator", "policy losses" -> "policy loss", for messages about one name. */
    private String singular() {
        if (name.endsWith("ies")) {
            return name.substring(0, name.length() - 3) + "y";
        }
        if (name.endsWith("sses")) {
            return name.substring(0, name.length() - 2);
        }
        return name.endsWith("s") ? name.substring(0, name.length() - 1) : name;
    }

    @Override
    public String toString() {
        return name + " (" + setting + "): " + names();
    }
}
