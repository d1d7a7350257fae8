package io.rlstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/ is the truth: its generated parts equal the code, and every section the code or the
 * documents cite ({@code docs/algorithms.md#advantage-estimators}) exists. Surefire runs in the
 * launcher folder, so the repository's root is {@code ..}.
 */
class DocsTest {

    private static final Path ROOT = Path.of("..");
    /** A citation of a Markdown file's section: {@code algorithms.md#kl-estimators}, {@code ../README.md#x}. */
    private static final Pattern CITATION = Pattern.compile("([A-Za-z0-9_./-]*?)([A-Za-z0-9_-]+\\.md)#([A-Za-z0-9_-]+)");

    @Test
    void generatedPartsEqualTheCode() {
        Map<String, String> stale = ProjectDocs.stale(ROOT);
        assertTrue(stale.isEmpty(), "docs differ from the code: " + stale.keySet() + "; run `bin/rlstream docs --write`");
    }

    @Test
    void everyCitedSectionExists() throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path file : sources()) {
            String text = Files.readString(file);
            Matcher m = CITATION.matcher(text);
            while (m.find()) {
                Path target = target(file, m.group(1), m.group(2));
                if (target == null) {
                    continue; // a file outside this repository (another project's README)
                }
                if (!anchors(target).contains(m.group(3))) {
                    broken.add(ROOT.relativize(file) + ": " + m.group() + " (no such section in " + ROOT.relativize(target) + ")");
                }
            }
        }
        assertTrue(broken.isEmpty(), "citations of sections that do not exist:\n" + String.join("\n", broken));
    }

    @Test
    void nothingCitesTheDesignFilesOutsideTheRepository() throws IOException {
        // Spelt in two parts, so that this file does not cite them itself.
        String algorithms = "ALGORITHMS";
        String architecture = "ARCHITECTURE";
        List<String> old = new ArrayList<>();
        for (Path file : sources()) {
            String text = Files.readString(file);
            if (text.contains(algorithms + ".md") || text.contains(algorithms + " §") || text.contains(architecture + " rule")
                    || text.contains(architecture + " \"")) {
                old.add(ROOT.relativize(file).toString());
            }
        }
        assertTrue(old.isEmpty(), "cite docs/algorithms.md or docs/architecture.md sections instead: " + old);
    }

    @Test
    void anchorsAreGitHubSlugs() {
        // GitHub: lower case, punctuation other than '-' and '_' dropped, spaces to '-'.
        assertEquals("pf-ppo-strategies", ProjectDocs.slug("PF-PPO strategies"));
        assertEquals("the-demo-2026-12-01", ProjectDocs.slug("The demo (2026-12-01)"));
        assertEquals("in-the-terminal-rlstream-metrics", ProjectDocs.slug("In the terminal: `rlstream metrics`"));
        assertEquals("reward-composition-and-overlong-penalty", ProjectDocs.slug("Reward composition and overlong penalty"));
    }

    @Test
    void aBlockThatNothingGeneratesIsAnError() {
        String text = "a\n<!-- BEGIN generated: no-such-family -->\nold\n<!-- END generated -->\nb\n";
        assertThrows(IllegalStateException.class, () -> ProjectDocs.fill(text, Map.of("topics", "t\n"), "x.md"));
        String filled = ProjectDocs.fill(text.replace("no-such-family", "topics"), Map.of("topics", "t\n"), "x.md");
        assertEquals("a\n<!-- BEGIN generated: topics -->\nt\n<!-- END generated -->\nb\n", filled);
    }

    private static Path target(Path citing, String dir, String name) {
        Path docs = ROOT.resolve("docs").resolve(name);
        if (dir.contains("docs/") || citing.startsWith(ROOT.resolve("docs")) && dir.isEmpty()) {
            return Files.exists(docs) ? docs.normalize() : docs;
        }
        if (dir.isEmpty() && Files.exists(docs)) {
            return docs; // code cites "algorithms.md#..." without the folder
        }
        Path relative = citing.getParent().resolve(dir).resolve(name).normalize();
        return Files.exists(relative) ? relative : null;
    }

    private static Set<String> anchors(Path markdown) throws IOException {
        if (!Files.exists(markdown)) {
            return Set.of();
        }
        boolean[] fenced = {false};
        return Files.readAllLines(markdown).stream()
                .filter(line -> {
                    if (line.startsWith("```")) {
                        fenced[0] = !fenced[0];
                    }
                    return !fenced[0] && line.startsWith("#");
                })
                .map(line -> ProjectDocs.slug(line.replaceFirst("^#+\\s*", "")))
                .collect(Collectors.toSet());
    }

    /** The repository's Java sources and Markdown files, build output and node modules left out. */
    private static List<Path> sources() throws IOException {
        try (Stream<Path> files = Files.walk(ROOT)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> f.toString().endsWith(".java") || f.toString().endsWith(".md"))
                    .filter(f -> !f.toString().contains("/target/") && !f.toString().contains("/node_modules/")
                            && !f.toString().contains("/.git/") && !f.toString().contains("/.cache/"))
                    .sorted()
                    .toList();
        }
    }
}
