package io.rlstream.processors.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Prints the query server's JSON for a person: {@code top} as an aligned table, {@code show} as
 * a key: value listing. Numbers to 3 decimals in the table (enough to compare pass rates), as
 * sent in the listing; '-' where the selector has no value (unseen prompt, no value model).
 */
final class PromptTable {

    /** Longest prompt text a table row shows; {@code show} prints it whole. */
    static final int TEXT_WIDTH = 32;

    private record Column(String title, String field, boolean number) {
    }

    private static final List<Column> COLUMNS = List.of(
            new Column("prompt", "prompt_id", false),
            new Column("text", "text", false),
            new Column("selected", "selected", true),
            new Column("groups", "groups", true),
            new Column("estimate", "estimate", true),
            new Column("last mean", "last_group_mean_reward", true),
            new Column("V(x)", "prediction", true),
            new Column("|err|", "prediction_error", true),
            new Column("pool", "pool", false));

    private PromptTable() {
    }

    static void top(JsonNode answer, PrintStream out) {
        JsonNode prompts = answer.path("prompts");
        out.println(header(answer));
        if (prompts.isEmpty()) {
            return;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(COLUMNS.stream().map(Column::title).toArray(String[]::new));
        for (JsonNode p : prompts) {
            rows.add(COLUMNS.stream().map(c -> cell(p.path(c.field()), c)).toArray(String[]::new));
        }
        int[] widths = new int[COLUMNS.size()];
        for (String[] row : rows) {
            for (int k = 0; k < row.length; k++) {
                widths[k] = Math.max(widths[k], row[k].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int k = 0; k < row.length; k++) {
                boolean last = k == row.length - 1;
                String format = COLUMNS.get(k).number() ? "%" + widths[k] + "s" : last ? "%s" : "%-" + widths[k] + "s";
                line.append(String.format(format, row[k])).append(last ? "" : "  ");
            }
            out.println(line.toString().stripTrailing());
        }
    }

    /** "selector pcl, by closeness (tau 0.500): 3 of 120 prompts in the selector's state". */
    private static String header(JsonNode answer) {
        Set<String> selectors = new TreeSet<>();
        answer.path("prompts").forEach(p -> selectors.add(p.path("selector").asText("?")));
        String by = answer.path("by").asText();
        String tau = by.equals("closeness") ? String.format(Locale.ROOT, " (tau %.3f)", answer.path("tau").asDouble()) : "";
        long count = answer.path("count").asLong();
        if (count == 0) {
            return "the selector's state holds no prompts yet (the dispatcher writes a prompt's view once it chooses it)";
        }
        String who = selectors.isEmpty() ? "selector ?" : (selectors.size() == 1 ? "selector " : "selectors ")
                + String.join(", ", selectors);
        return String.format(Locale.ROOT, "%s, by %s%s: %d of %d prompts in the selector's state", who, by, tau,
                answer.path("prompts").size(), count);
    }

    private static String cell(JsonNode value, Column column) {
        if (value.isMissingNode() || value.isNull()) {
            return "-";
        }
        if (value.isIntegralNumber()) {
            return Long.toString(value.asLong());
        }
        if (value.isNumber()) {
            return String.format(Locale.ROOT, "%.3f", value.asDouble());
        }
        String text = value.asText().replaceAll("\\s+", " ").strip();
        if (column.field().equals("text") && text.length() > TEXT_WIDTH) {
            return text.substring(0, TEXT_WIDTH - 3) + "...";
        }
        return text.isEmpty() && !column.field().equals("text") ? "-" : text;
    }

    private record Line(String label, String field) {
    }

    private static final List<Line> LISTING = List.of(
            new Line("prompt", "prompt_id"),
            new Line("text", "text"),
            new Line("selector", "selector"),
            new Line("selected", "selected"),
            new Line("groups", "groups"),
            new Line("estimate", "estimate"),
            new Line("last group mean reward", "last_group_mean_reward"),
            new Line("prediction V(x)", "prediction"),
            new Line("prediction error", "prediction_error"),
            new Line("value model updates", "value_model_updates"),
            new Line("value model version", "value_model_policy_version"),
            new Line("pool", "pool"),
            new Line("policy version", "policy_version"),
            new Line("updated at", "updated_at"));

    static void show(JsonNode prompt, PrintStream out) {
        int width = LISTING.stream().mapToInt(l -> l.label().length()).max().orElse(0) + 1;
        String indent = " ".repeat(width + 1);
        for (Line line : LISTING) {
            JsonNode value = prompt.path(line.field());
            String text = value.isMissingNode() || value.isNull() ? "-" : value.asText();
            if (text.isEmpty() && !line.field().equals("text")) {
                text = "-";
            }
            out.printf("%-" + width + "s %s%n", line.label() + ":", text.replace("\n", "\n" + indent));
        }
    }
}
