package io.rlstream.model.folder;

import io.rlstream.model.tokenizer.CharTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

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

    /**
     * The tokenizer files of {@code source} read now and kept in memory, so that the folder they
     * came from may be deleted before they are written (a trainer's retention removes the
     * checkpoint it started from); {@code tokenizer.json} is required.
     */
    static TokenizerFiles snapshotOf(Path source) throws IOException {
        if (!Files.isRegularFile(source.resolve(ModelFolder.TOKENIZER))) {
            throw new IOException("no " + ModelFolder.TOKENIZER + " in " + source
                    + ": expected a Hugging Face model or tokenizer folder");
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String name : ModelFolder.TOKENIZER_FILE_NAMES) {
            Path file = source.resolve(name);
            if (Files.isRegularFile(file)) {
                files.put(name, Files.readAllBytes(file));
            }
        }
        return dir -> {
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                Files.write(dir.resolve(e.getKey()), e.getValue());
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
