package io.rlstream.producers.prompts;

/**
 * A dataset row that is not a prompt: where it is ({@code line 5} of a JSONL file, {@code row 5}
 * of a parquet file, counted from 1), a short reason for the summary, and what was expected and
 * what came.
 */
public final class BadRowException extends Exception {

    /** Not JSON, or not an object. */
    public static final String UNREADABLE = "unreadable";
    /** The prompt field is absent. */
    public static final String MISSING = "missing field";
    /** A field has a type the mapping cannot use (a number where chat messages belong, ...). */
    public static final String WRONG_TYPE = "wrong type";
    /** The prompt is there but says nothing: empty text, no messages, no non-empty user message. */
    public static final String EMPTY = "empty prompt";
    /** Chat messages that are not a chat: an unknown role, content not a string, ending with the assistant. */
    public static final String BAD_MESSAGES = "bad messages";
    /** A prompt id an earlier row of the file already had (the reward service looks answers up by id). */
    public static final String DUPLICATE_ID = "duplicate id";

    private final String unit;
    private final long number;
    private final String reason;

    public BadRowException(String unit, long number, String reason, String detail) {
        super(unit + " " + number + ": " + detail);
        this.unit = unit;
        this.number = number;
        this.reason = reason;
    }

    /** {@code line} or {@code row}. */
    public String unit() {
        return unit;
    }

    public long number() {
        return number;
    }

    /** One of the constants of this class, for the summary. */
    public String reason() {
        return reason;
    }
}
