package io.rlstream.reward.sandbox;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line from a Python traceback on stderr: the exception and the line that raised it, e.g.
 * {@code AssertionError at main.py line 7: assert add(1, 2) == 3}, because a bare {@code assert}
 * has no message of its own.
 */
final class PythonTraceback {

    static final int MAX_LENGTH = 300;
    private static final Pattern FRAME = Pattern.compile("^\\s*File \"([^\"]*)\", line (\\d+)");

    private PythonTraceback() {
    }

    /** The summary, or empty when stderr holds no text. */
    static String summary(String stderr) {
        if (stderr == null || stderr.isBlank()) {
            return "";
        }
        String[] lines = stderr.split("\\R");
        int last = lines.length - 1;
        while (last >= 0 && lines[last].isBlank()) {
            last--;
        }
        String exception = lines[last].strip();
        String where = "";
        for (int i = last - 1; i >= 0; i--) {
            Matcher m = FRAME.matcher(lines[i]);
            if (m.find()) {
                String source = i + 1 < last ? lines[i + 1].strip() : "";
                boolean isSource = !source.isEmpty() && !source.chars().allMatch(c -> c == '^' || c == '~');
                where = " at " + m.group(1) + " line " + m.group(2) + (isSource ? ": " + source : "");
                break;
            }
        }
        String summary = exception + where;
        return summary.length() <= MAX_LENGTH ? summary : summary.substring(0, MAX_LENGTH - 1) + "…";
    }

    /** Whether the traceback ends in a {@code MemoryError}. */
    static boolean isMemoryError(String stderr) {
        String summary = summary(stderr);
        return summary.startsWith("MemoryError");
    }
}
