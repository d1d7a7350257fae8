package io.rlstream.cli;

import io.rlstream.algorithm.Algorithm;
import io.rlstream.algorithm.AlgorithmFamily;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code rlstream algorithms}: every family of named algorithms with the setting that picks one,
 * its entries, their formulas and papers; {@code --markdown} prints the tables of
 * docs/algorithms.md; a family's name, docs anchor or setting prints only that family.
 */
public final class AlgorithmsCommand {

    static final String USAGE = """
            Usage: rlstream algorithms [--markdown] [FAMILY-OR-SETTING]

            Lists every family of named algorithms: the setting that picks one (e.g.
            --set advantage.estimator=rloo), the section of docs/algorithms.md that explains it,
            and each entry with its formula in one line, its paper and the class that implements it.
            "none" is an ordinary entry where a stage can be turned off.

              FAMILY-OR-SETTING  only this family: its name ("advantage estimators" or
                                 advantage-estimators) or its setting (advantage.estimator)
              --markdown         one Markdown table per family (name | formula | paper | class)
                                 between the markers docs/algorithms.md has for it
              --help             this text
            """;

    private AlgorithmsCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        boolean markdown = false;
        List<String> wanted = new ArrayList<>();
        for (String arg : args) {
            switch (arg) {
                case "--help", "-h" -> {
                    out.print(USAGE);
                    return 0;
                }
                case "--markdown" -> markdown = true;
                default -> {
                    if (arg.startsWith("--")) {
                        err.println("rlstream algorithms: unknown option '" + arg + "'");
                        err.print(USAGE);
                        return 2;
                    }
                    wanted.add(arg);
                }
            }
        }
        List<AlgorithmFamily<?, ?>> families = AlgorithmIndex.FAMILIES;
        if (!wanted.isEmpty()) {
            String query = String.join(" ", wanted);
            AlgorithmFamily<?, ?> family = find(query);
            if (family == null) {
                err.println("rlstream algorithms: no family called '" + query + "'; families: "
                        + String.join(", ", AlgorithmIndex.FAMILIES.stream()
                                .map(f -> f.name() + " (" + f.setting() + ")").toList()));
                return 2;
            }
            families = List.of(family);
        }
        out.print(markdown ? markdown(families) : text(families));
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
