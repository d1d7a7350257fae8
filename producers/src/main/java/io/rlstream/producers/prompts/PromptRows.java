package io.rlstream.producers.prompts;

import io.rlstream.events.Prompt;
import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Walks a {@link PromptSource} through a {@link PromptMapper}: each good row goes to a consumer,
 * each bad row is reported ({@code skipped line 5: missing required field 'text'}) and counted by
 * reason, and the walk goes on. A prompt id that an earlier row of the file had is a bad row too
 * (the reward service keeps one reference answer per id, so the second would silently replace the
 * first).
 */
public final class PromptRows {

    /** Rows that became prompts, and rows skipped by {@link BadRowException#reason()}. */
    public record Counts(long good, Map<String, Long> skipped) {
        public long skippedTotal() {
            return skipped.values().stream().mapToLong(Long::longValue).sum();
        }

        /** {@code skipped 2 (missing field 1, unreadable 1)}, or {@code skipped 0}. */
        public String describeSkipped() {
            StringBuilder s = new StringBuilder("skipped ").append(skippedTotal());
            if (!skipped.isEmpty()) {
                s.append(" (");
                skipped.forEach((reason, n) -> s.append(s.charAt(s.length() - 1) == '(' ? "" : ", ").append(reason)
                        .append(' ').append(n));
                s.append(')');
            }
            return s.toString();
        }
    }

    private PromptRows() {
    }

    public static Counts each(PromptSource source, PromptMapper mapper, Consumer<Prompt> good, Consumer<String> report)
            throws IOException {
        Map<String, Long> skipped = new TreeMap<>();
        Set<String> ids = new HashSet<>();
        long count = 0;
        PromptSource.Row row;
        while ((row = source.next()) != null) {
            try {
                if (row.unreadable() != null) {
                    throw new BadRowException(source.unit(), row.number(), BadRowException.UNREADABLE, row.unreadable());
                }
                Prompt prompt = mapper.map(row.value(), row.number());
                if (!ids.add(prompt.getPromptId())) {
                    throw new BadRowException(source.unit(), row.number(), BadRowException.DUPLICATE_ID,
                            "prompt id '" + prompt.getPromptId() + "' was already taken by an earlier row");
                }
                good.accept(prompt);
                count++;
                if (count % 10_000 == 0) {
                    report.accept(count + " prompts...");
                }
            } catch (BadRowException e) {
                skipped.merge(e.reason(), 1L, Long::sum);
                report.accept("skipped " + e.getMessage());
            }
        }
        return new Counts(count, skipped);
    }
}
