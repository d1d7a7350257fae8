package io.rlstream.cli;

import io.rlstream.algorithm.Algorithm;
import io.rlstream.algorithm.AlgorithmFamily;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rlstream algorithms}: every family of named algorithms with the setting that picks one,
 * its entries, their formulas and papers; {@code --markdown} prints the tables of
 * docs/algorithms.md; a family's name, docs anchor or setting prints only that family.
 */
@Command(name = "algorithms", description = {"Lists every family of named algorithms: the setting that picks one (e.g."
        + " --set advantage.estimator=rloo), the section of docs/algorithms.md that explains it, and each entry with its"
        + " formula in one line, its paper and the class that implements it. \"none\" is an ordinary entry where a stage"
        + " can be turned off."})
public final class AlgorithmsCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;
    @Option(names = "--markdown", description = "One Markdown table per family (name | formula | paper | class) between"
            + " the markers docs/algorithms.md has for it.")
    boolean markdown;
    @Parameters(arity = "0..*", paramLabel = "FAMILY-OR-SETTING", description = "Only this family: its name (\"advantage"
            + " estimators\" or advantage-estimators) or its setting (advantage.estimator).")
    List<String> wanted = new ArrayList<>();

    private final Terminal terminal;

    AlgorithmsCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        List<AlgorithmFamily<?, ?>> families = AlgorithmIndex.FAMILIES;
        if (!wanted.isEmpty()) {
            String query = String.join(" ", wanted);
            AlgorithmFamily<?, ?> family = find(query);
            if (family == null) {
                throw new UsageException("no family called '" + query + "'; families: "
                        + String.join(", ", AlgorithmIndex.FAMILIES.stream()
                                .map(f -> f.name() + " (" + f.setting() + ")").toList()));
            }
            families = List.of(family);
        }
        terminal.out().print(markdown ? markdown(families) : text(families));
        return 0;
    }

    /** The family whose name, docs anchor or setting this is, in any case; null when none is. */
    static AlgorithmFamily<?, ?> find(String query) {
        String q = query.trim().toLowerCase(Locale.ROOT);
        for (AlgorithmFamily<?, ?> family : AlgorithmIndex.FAMILIES) {
            if (family.name().toLowerCase(Locale.ROOT).equals(q) || family.anchor().equals(q)
                    || family.setting().equals(q)) {
                return family;
            }
        }
        return null;
    }

    /** For the terminal: per family a heading line, then one line per entry and one for its source. */
    static String text(List<AlgorithmFamily<?, ?>> families) {
        StringBuilder out = new StringBuilder();
        for (AlgorithmFamily<?, ?> family : families) {
            out.append(family.name()).append(": ").append(family.description()).append('\n')
                    .append("  setting ").append(family.setting()).append(", docs/algorithms.md#")
                    .append(family.anchor()).append('\n');
            int width = family.names().stream().mapToInt(String::length).max().orElse(0) + 2;
            for (Algorithm<?, ?> entry : family.entries()) {
                out.append("  ").append(String.format("%-" + width + "s", entry.name())).append(entry.formula()).append('\n')
                        .append("  ").append(" ".repeat(width)).append(entry.paper()).append("; ")
                        .append(entry.implementation().getSimpleName()).append('\n');
            }
            out.append('\n');
        }
        return out.toString();
    }

    /**
     * Per family its table between the markers docs/algorithms.md has in the family's section
     * ({@code <!-- BEGIN generated: ANCHOR -->} ... {@code <!-- END generated -->}), a blank line after each.
     */
    static String markdown(List<AlgorithmFamily<?, ?>> families) {
        StringBuilder out = new StringBuilder();
        for (AlgorithmFamily<?, ?> family : families) {
            out.append(generatedBlock(family)).append('\n');
        }
        return out.toString();
    }

    /** One family's table between its docs/algorithms.md markers, as a docs generator writes it. */
    public static String generatedBlock(AlgorithmFamily<?, ?> family) {
        return "<!-- BEGIN generated: " + family.anchor() + " -->\n" + family.markdown() + "<!-- END generated -->\n";
    }
}
