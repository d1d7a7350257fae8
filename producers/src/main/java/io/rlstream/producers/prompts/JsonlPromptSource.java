package io.rlstream.producers.prompts;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * JSONL rows: one JSON object per line, blank lines skipped, a line that is not JSON a row of its
 * own that is unreadable (the next line still reads). A file whose first non-blank character is
 * {@code [} is one JSON array instead, read element by element (rows counted from 1); JSON that
 * breaks inside an array ends the file, as nothing after it can be told apart.
 */
public final class JsonlPromptSource implements PromptSource {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BufferedReader lines;
    private final JsonParser array;
    private long number;

    private JsonlPromptSource(BufferedReader lines, JsonParser array) {
        this.lines = lines;
        this.array = array;
    }

    public static JsonlPromptSource open(Path file) throws IOException {
        return of(Files.newBufferedReader(file));
    }

    /** Rows from a reader (tests, stdin). */
    public static JsonlPromptSource of(Reader reader) throws IOException {
        BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        in.mark(1 << 16);
        int c;
        do {
            c = in.read();
        } while (c != -1 && Character.isWhitespace(c));
        in.reset();
        if (c == '[') {
            JsonParser parser = JSON.createParser(in);
            parser.nextToken();
            return new JsonlPromptSource(in, parser);
        }
        return new JsonlPromptSource(in, null);
    }

    @Override
    public Row next() throws IOException {
        return array == null ? nextLine() : nextElement();
    }

    private Row nextLine() throws IOException {
        String line;
        do {
            line = lines.readLine();
            if (line == null) {
                return null;
            }
            number++;
        } while (line.isBlank());
        try {
            return new Row(number, JSON.readTree(line), null);
        } catch (JsonProcessingException e) {
            return new Row(number, null, "not valid JSON (" + e.getOriginalMessage() + ")");
        }
    }

    private Row nextElement() throws IOException {
        try {
            JsonToken token = array.nextToken();
            if (token == null || token == JsonToken.END_ARRAY) {
                return null;
            }
            number++;
            return new Row(number, JSON.readTree(array), null);
        } catch (JsonProcessingException e) {
            throw new IOException("the JSON array breaks after element " + number + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public String unit() {
        return array == null ? "line" : "row";
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }
}
