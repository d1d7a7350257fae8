package io.rlstream.model.folder;

import io.rlstream.model.CharTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Where a saved model folder's tokenizer files come from: copied from another model folder (the
 * checkpoint that was loaded), generated for a {@link CharTokenizer}, or none.
 */
@FunctionalInterface
public interface TokenizerFiles {

    /** Writes the tokenizer's files into {@code dir} (a folder being assembled). */
    void writeInto(Path dir) throws IOException;

    /**
     * Every tokenizer file of {@link ModelFolder#TOKENIZER_FILE_NAMES} present in {@code source}
     * (a model or tokenizer folder), copied byte for byte; {@code tokenizer.json} is required.
     */
    static TokenizerFiles copyOf(Path source) {
        return dir -> {
            if (!Files.isRegularFile(source.resolve(ModelFolder.TOKENIZER))) {
                throw new IOException("no " + ModelFolder.TOKENIZER + " in " + source
                        + ": expected a Hugging Face model or tokenizer folder");
            }
            for (String name : ModelFolder.TOKENIZER_FILE_NAMES) {
                Path file = source.resolve(name);
                if (Files.isRegularFile(file)) {
                    Files.copy(file, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        };
    }

    /** tokenizer.json and tokenizer_config.json generated for {@code tokenizer} ({@link CharTokenizerFiles}). */
    static TokenizerFiles of(CharTokenizer tokenizer) {
        return dir -> CharTokenizerFiles.write(tokenizer, dir);
    }

    /** No tokenizer files (a folder of weights and config only). */
    static TokenizerFiles none() {
        return dir -> { };
    }
}
