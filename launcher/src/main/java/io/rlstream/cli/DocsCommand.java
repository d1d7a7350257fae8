package io.rlstream.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code rlstream docs}: checks (or with {@code --write} rewrites) the parts of docs/ generated
 * from the code (see {@link ProjectDocs}).
 */
final class DocsCommand {

    static final String USAGE = """
            Usage: rlstream docs [--write] [--root DIR]

            The parts of docs/ that the code declares: configuration.md (every service's settings),
            metrics.md (the metric catalogue), the topic table in architecture.md and the registry
            table of each algorithm family in algorithms.md (between <!-- BEGIN generated: NAME -->
            and <!-- END generated --> markers; the text around them is written by hand).

              (no flag)    list the files that differ from the code; exit 1 if any does
              --write      rewrite those files
              --root DIR   the repository's root (default: the current folder)

            Run `bin/rlstream docs --write` after changing a setting, a metric, a topic or an
            algorithm registry entry; a test fails until the files match.
            """;

    private DocsCommand() {
    }

    static int run(List<String> raw, PrintStream out, PrintStream err) {
        try {
            return check(Args.parse(raw, List.of("write", "help")), out);
        } catch (Args.UsageException e) {
            err.println("rlstream docs: " + e.getMessage() + " (rlstream docs --help)");
            return 2;
        }
    }

    private static int check(Args args, PrintStream out) {
        if (args.has("help")) {
            out.print(USAGE);
            return 0;
        }
        args.rejectUnknown(List.of("write", "root", "help"));
        Path root = Path.of(args.get("root", "."));
        if (!Files.isDirectory(root.resolve("docs"))) {
            throw new Args.UsageException("no docs/ folder under " + root.toAbsolutePath()
                    + ": run from the repository's root or pass --root DIR");
        }
        Map<String, String> stale = ProjectDocs.stale(root);
        if (stale.isEmpty()) {
            out.println("docs: every generated part is current");
            return 0;
        }
        if (!args.has("write")) {
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
