package io.rlstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No cycles between the Java packages of {@code src/main} in any module (STYLE.md: "a package per
 * concept; no cycles between packages"). A cycle means two concepts cannot be read, tested or
 * moved apart; a sub-package and its parent count as two packages, so {@code model -> model.nn ->
 * model} is a cycle too.
 *
 * <p>The launcher depends on every module, so its tests run with every module's sources next to
 * them: surefire runs in {@code launcher/}, and this test reads {@code ../<module>/src/main/java}
 * as text (imports, static imports, wildcard imports and fully qualified names in code; comments
 * and string literals do not count). A failure lists each cycle with the references that make it:
 * move the type that closes the cycle to the package it belongs to.
 */
class PackageCyclesTest {

    private static final Path REPOSITORY = Path.of("..");

    @Test
    void noCyclesBetweenThePackagesOfAnyModule() {
        PackageGraph graph = PackageGraph.of(mainSources());
        List<String> cycles = graph.describeCycles();
        if (!cycles.isEmpty()) {
            fail(cycles.size() + " package cycle(s) in src/main; move the type that closes each cycle to the"
                    + " package it belongs to:\n" + String.join("\n", cycles));
        }
    }

    /** Guards against the test above passing because it read nothing. */
    @Test
    void readsTheSourcesOfEveryModule() {
        Map<Path, String> sources = mainSources();
        Set<String> modules = sources.keySet().stream()
                .map(p -> REPOSITORY.relativize(p).getName(0).toString())
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue(modules.containsAll(Set.of("schemas", "model", "producers", "reward-service",
                "stream-processors", "trainer-service", "ops", "launcher")), modules.toString());
        PackageGraph graph = PackageGraph.of(sources);
        assertTrue(graph.dependencies("io.rlstream.cli").contains("io.rlstream.reward"),
                "the launcher's package depends on the reward service's: " + graph.dependencies("io.rlstream.cli"));
    }

    @Test
    void findsACycleBetweenAPackageAndItsSubPackage() {
        Map<Path, String> sources = Map.of(
                Path.of("a/Policy.java"), """
                        package io.rlstream.model;
                        import io.rlstream.model.nn.GptNetwork;
                        class Policy { GptNetwork n; }
                        """,
                Path.of("a/GptNetwork.java"), """
                        package io.rlstream.model.nn;
                        class GptNetwork { Object c = io.rlstream.model.PolicyConfig.demo(); }
                        """);
        List<String> cycles = PackageGraph.of(sources).describeCycles();
        assertEquals(1, cycles.size(), cycles.toString());
        assertTrue(cycles.get(0).contains("io.rlstream.model.nn.GptNetwork -> io.rlstream.model.PolicyConfig"), cycles.get(0));
        assertTrue(cycles.get(0).contains("io.rlstream.model.Policy -> io.rlstream.model.nn.GptNetwork"), cycles.get(0));
    }

    @Test
    void findsLongCyclesThroughStaticAndWildcardImports() {
        Map<Path, String> sources = Map.of(
                Path.of("A.java"), "package io.rlstream.a;\nimport static io.rlstream.b.B.run;\nclass A {}\n",
                Path.of("B.java"), "package io.rlstream.b;\nimport io.rlstream.c.*;\nclass B {}\n",
                Path.of("C.java"), "package io.rlstream.c;\nclass C { void f() { io.rlstream.a.A.class.getName(); } }\n",
                Path.of("D.java"), "package io.rlstream.d;\nimport io.rlstream.a.A;\nclass D {}\n");
        List<String> cycles = PackageGraph.of(sources).describeCycles();
        assertEquals(1, cycles.size(), cycles.toString());
        assertTrue(cycles.get(0).startsWith("[io.rlstream.a, io.rlstream.b, io.rlstream.c]"), cycles.get(0));
    }

    @Test
    void commentsAndStringsAreNotDependencies() {
        Map<Path, String> sources = Map.of(
                Path.of("A.java"), "package io.rlstream.a;\n/** See {@link io.rlstream.b.B}. */\nclass A {\n"
                        + "  // io.rlstream.b.B.run()\n  String s = \"io.rlstream.b.B\";\n"
                        + "  String t = \"\"\"\n    io.rlstream.b.B\n    \"\"\";\n  char c = '\"';\n}\n",
                Path.of("B.java"), "package io.rlstream.b;\nimport io.rlstream.a.A;\nclass B {}\n");
        assertEquals(List.of(), PackageGraph.of(sources).describeCycles());
    }

    private static Map<Path, String> mainSources() {
        Map<Path, String> sources = new TreeMap<>();
        try (Stream<Path> modules = Files.list(REPOSITORY)) {
            for (Path module : modules.sorted().toList()) {
                Path main = module.resolve("src/main/java");
                if (!Files.isDirectory(main)) {
                    continue;
                }
                try (Stream<Path> files = Files.walk(main)) {
                    for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                        sources.put(file, Files.readString(file));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sources under " + REPOSITORY.toAbsolutePath(), e);
        }
        assertTrue(sources.size() > 100, "found only " + sources.size() + " source files under "
                + REPOSITORY.toAbsolutePath() + " (surefire must run in launcher/)");
        return sources;
    }

    /** Package -> package edges among io.rlstream.* packages, each with the type references behind it. */
    static final class PackageGraph {

        private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
        /** A package name (lower-case segments) followed by a type name or a wildcard. */
        private static final Pattern REFERENCE =
                Pattern.compile("\\bio\\.rlstream(?:\\.[a-z_][a-z0-9_]*)*\\.(?:[A-Z]\\w*|\\*)");

        /** from package -> to package -> "FromType -> ToType" references. */
        private final Map<String, Map<String, Set<String>>> edges = new TreeMap<>();

        static PackageGraph of(Map<Path, String> sources) {
            PackageGraph graph = new PackageGraph();
            sources.forEach((path, text) -> graph.add(path, text));
            return graph;
        }

        private void add(Path path, String text) {
            String code = codeOnly(text);
            Matcher pkg = PACKAGE.matcher(code);
            if (!pkg.find()) {
                return;
            }
            String from = pkg.group(1);
            String fileName = path.getFileName().toString();
            String fromType = from + "." + fileName.substring(0, fileName.length() - ".java".length());
            edges.computeIfAbsent(from, k -> new TreeMap<>());
            Matcher ref = REFERENCE.matcher(code);
            while (ref.find()) {
                String type = ref.group();
                String to = type.substring(0, type.lastIndexOf('.'));
                String reference = fromType + " -> " + type;
                if (!to.equals(from)) {
                    edges.get(from).computeIfAbsent(to, k -> new TreeSet<>()).add(reference);
                }
            }
        }

        Set<String> dependencies(String pkg) {
            return edges.getOrDefault(pkg, Map.of()).keySet();
        }

        /** One line per strongly connected component of two or more packages, then its references. */
        List<String> describeCycles() {
            List<String> lines = new ArrayList<>();
            for (Set<String> component : components()) {
                StringBuilder s = new StringBuilder(component.toString());
                for (String from : component) {
                    edges.getOrDefault(from, Map.of()).forEach((to, refs) -> {
                        if (component.contains(to)) {
                            refs.forEach(r -> s.append("\n    ").append(r));
                        }
                    });
                }
                lines.add(s.toString());
            }
            return lines;
        }

        /** Tarjan's strongly connected components, keeping those with more than one package. */
        private List<Set<String>> components() {
            Map<String, Integer> index = new HashMap<>();
            Map<String, Integer> low = new HashMap<>();
            Deque<String> stack = new ArrayDeque<>();
            Set<String> onStack = new java.util.HashSet<>();
            List<Set<String>> found = new ArrayList<>();
            for (String start : edges.keySet()) {
                if (!index.containsKey(start)) {
                    connect(start, index, low, stack, onStack, found);
                }
            }
            found.sort((a, b) -> a.toString().compareTo(b.toString()));
            return found;
        }

        private void connect(String v, Map<String, Integer> index, Map<String, Integer> low, Deque<String> stack,
                Set<String> onStack, List<Set<String>> found) {
            index.put(v, index.size());
            low.put(v, index.get(v));
            stack.push(v);
            onStack.add(v);
            for (String w : edges.getOrDefault(v, Map.of()).keySet()) {
                if (!index.containsKey(w)) {
                    connect(w, index, low, stack, onStack, found);
                    low.put(v, Math.min(low.get(v), low.get(w)));
                } else if (onStack.contains(w)) {
                    low.put(v, Math.min(low.get(v), index.get(w)));
                }
            }
            if (low.get(v).equals(index.get(v))) {
                Set<String> component = new TreeSet<>();
                String w;
                do {
                    w = stack.pop();
                    onStack.remove(w);
                    component.add(w);
                } while (!w.equals(v));
                if (component.size() > 1) {
                    found.add(component);
                }
            }
        }

        /** The source with comments, string, text-block and char literals blanked out. */
        static String codeOnly(String text) {
            StringBuilder out = new StringBuilder(text.length());
            int i = 0;
            int n = text.length();
            while (i < n) {
                char c = text.charAt(i);
                if (text.startsWith("//", i)) {
                    int end = text.indexOf('\n', i);
                    i = end < 0 ? n : end;
                } else if (text.startsWith("/*", i)) {
                    int end = text.indexOf("*/", i + 2);
                    i = end < 0 ? n : end + 2;
                    out.append(' ');
                } else if (text.startsWith("\"\"\"", i)) {
                    int end = text.indexOf("\"\"\"", i + 3);
                    while (end > 0 && text.charAt(end - 1) == '\\') {
                        end = text.indexOf("\"\"\"", end + 1);
                    }
                    i = end < 0 ? n : end + 3;
                    out.append("\"\"");
                } else if (c == '"' || c == '\'') {
                    int j = i + 1;
                    while (j < n && text.charAt(j) != c && text.charAt(j) != '\n') {
                        j += text.charAt(j) == '\\' ? 2 : 1;
                    }
                    i = j + 1;
                    out.append(c).append(c);
                } else {
                    out.append(c);
                    i++;
                }
            }
            return out.toString();
        }
    }
}
