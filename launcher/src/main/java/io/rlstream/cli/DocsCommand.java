package io.rlstream.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rlstream docs}: checks (or with {@code --write} rewrites) the parts of docs/ generated
 * from the code (see {@link ProjectDocs}).
 */
@Command(name = "docs", description = {"The parts of docs/ that the code declares: configuration.md (every service's"
        + " settings), metrics.md (the metric catalogue), the topic table in architecture.md and the registry table of"
        + " each algorithm family in algorithms.md (between <!-- BEGIN generated: NAME --> and <!-- END generated -->"
        + " markers; the text around them is written by hand)."},
        footer = {"%nRun `bin/rlstream docs --write` after changing a setting, a metric, a topic or an algorithm registry"
                + " entry; a test fails until the files match."})
final class DocsCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;
    @Option(names = "--write", description = "Rewrite the files that differ (without it: list them; exit 1 if any does).")
    boolean write;
    @Option(names = "--root", paramLabel = "DIR", description = "The repository's root (default: the current folder).")
    Path root = Path.of(".");

    private final Terminal terminal;

    DocsCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        PrintStream out = terminal.out();
        if (!Files.isDirectory(root.resolve("docs"))) {
            throw new UsageException("no docs/ folder under " + root.toAbsolutePath()
                    + ": run from the repository's root or pass --root DIR");
        }
        Map<String, String> stale = ProjectDocs.stale(root);
        if (stale.isEmpty()) {
            out.println("docs: every generated part is current");
            return 0;
        }
        if (!write) {
            stale.keySet().forEach(path -> out.println("docs: " + path + " differs from the code"));
            out.println("docs: run `bin/rlstream docs --write` to rewrite " + (stale.size() == 1 ? "it" : "them"));
            return 1;
        }
        stale.forEach((path, content) -> {
            try {
                Files.writeString(root.resolve(path), content);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + root.resolve(path), e);
            }
            out.println("docs: wrote " + path);
        });
        return 0;
    }
}
