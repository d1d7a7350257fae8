package io.rlstream.producers.prompts;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The rows of a prompts file, one JSON object each, whatever the file's format: JSONL (one object
 * per line; a {@code .json} file holding one JSON array is read element by element) or parquet
 * (each row converted to JSON: structs to objects, lists to arrays, strings to strings).
 */
public interface PromptSource extends Closeable {

    /**
     * One row: its number (line of a JSONL file, row or element counted from 1) and its value, or
     * why it could not be read ({@code unreadable}; value null then).
     */
    record Row(long number, JsonNode value, String unreadable) {
    }

    /** The next row, or null at the end. An {@link IOException} when the file itself cannot be read further. */
    Row next() throws IOException;

    /** What a row is called in problems and metadata: {@code line} or {@code row}. */
    String unit();

    /** The formats a prompts file may have. */
    enum Format {
        JSONL, PARQUET;

        /**
         * The format a file name says: .jsonl, .ndjson and .json are JSONL (Hugging Face datasets'
         * to_json writes JSON lines), .parquet is parquet; anything else is an
         * {@link IllegalArgumentException} asking for --format.
         */
        public static Format of(Path file) {
            String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) {
                return JSONL;
            }
            if (name.endsWith(".parquet")) {
                return PARQUET;
            }
            throw new IllegalArgumentException("cannot tell the format of " + file
                    + " from its name (.jsonl, .json or .parquet); give --format jsonl or --format parquet");
        }
    }

    /** Opens a file in a format. */
    static PromptSource open(Path file, Format format) throws IOException {
        return switch (format) {
            case JSONL -> JsonlPromptSource.open(file);
            case PARQUET -> ParquetPromptSource.open(file);
        };
    }
}
