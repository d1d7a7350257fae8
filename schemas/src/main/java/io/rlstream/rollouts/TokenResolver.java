package io.rlstream.rollouts;

import io.rlstream.events.BatchTokens;
import io.rlstream.events.PreferencePair;
import io.rlstream.events.Rollout;
import io.rlstream.events.RolloutPosition;
import io.rlstream.events.ScoredSample;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.tokens.Tokens;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fills in the tokens of training batches and preference pairs written with
 * {@code batch.tokens=reference} (claim check, issue 18): such a record carries each sample's
 * position on rl.rollouts ({@code ScoredSample.source}; a pair's {@code chosen_source} and
 * {@code rejected_source}) instead of its tokens, so the tokens reach the broker once. The trainer
 * resolves a batch before it checks and trains it, the processors bench before it counts a batch
 * as read; everything after sees an ordinary record with its tokens ({@code tokens} INLINE).
 *
 * <p>Resolution is a pure function of the record and rl.rollouts: one read of the batch's
 * rollouts, read_committed, one pass per partition ({@link KafkaRolloutLog}); records marked
 * INLINE are returned as they are, without a read. A rollout that is gone from rl.rollouts (its
 * retention is shorter than the reader's lag), or a position that holds another rollout, is
 * reported, never replaced by an empty sample: the caller refuses the record.
 */
public final class TokenResolver implements AutoCloseable {

    private final RolloutLog.Factory logs;
    private RolloutLog log;

    /** @param logs opens the log on the first record that needs it (a trainer of inline batches opens none) */
    public TokenResolver(RolloutLog.Factory logs) {
        this.logs = logs;
    }

    /**
     * A batch with its tokens.
     *
     * @param groups  the batch's records in the order given, each with every sample's tokens, or as
     *                given when its rollouts could not all be found
     * @param missing by index in the batch: what could not be resolved, in words; empty when all was
     * @param missingSamples how many samples' rollouts were gone or wrong
     */
    public record ResolvedBatch(List<TrainingBatchGroup> groups, Map<Integer, String> missing, int missingSamples) {
    }

    /**
     * A pair with its tokens, or what is missing.
     *
     * @param pair    the pair with its tokens (the one given when {@code missing} is set)
     * @param missing what could not be resolved, or null
     * @param missingRollouts how many of its two rollouts were gone (0, 1 or 2)
     */
    public record ResolvedPair(PreferencePair pair, String missing, int missingRollouts) {
    }

    /** True when the record carries positions instead of tokens. */
    public static boolean byReference(TrainingBatchGroup record) {
        return record.getTokens() == BatchTokens.REFERENCE;
    }

    /** The records of a batch with their tokens, reading the rollouts of every reference record in one pass. */
    public ResolvedBatch resolve(List<TrainingBatchGroup> batch) {
        List<RolloutLog.Position> positions = new ArrayList<>();
        for (TrainingBatchGroup record : batch) {
            if (byReference(record)) {
                for (ScoredSample s : record.getSamples()) {
                    if (s.getSource() != null) {
                        positions.add(position(s.getSource()));
                    }
                }
            }
        }
        if (positions.isEmpty()) {
            return new ResolvedBatch(batch, Map.of(), 0);
        }
        Map<RolloutLog.Position, Rollout> rollouts = log().read(positions);
        List<TrainingBatchGroup> out = new ArrayList<>(batch.size());
        Map<Integer, String> missing = new LinkedHashMap<>();
        int missingSamples = 0;
        for (int i = 0; i < batch.size(); i++) {
            TrainingBatchGroup record = batch.get(i);
            if (!byReference(record)) {
                out.add(record);
                continue;
            }
            List<ScoredSample> filled = new ArrayList<>(record.getSamples().size());
            List<String> wrong = new ArrayList<>();
            for (int s = 0; s < record.getSamples().size(); s++) {
                ScoredSample sample = record.getSamples().get(s);
                if (sample.getSource() == null) {
                    // buffered with its tokens before issue 18: it carries them
                    filled.add(sample);
                    continue;
                }
                String problem = problem(sample.getRolloutId(), sample.getSource(), rollouts);
                if (problem != null) {
                    wrong.add("sample " + s + " (" + sample.getRolloutId() + "): " + problem);
                    missingSamples++;
                } else {
                    filled.add(withTokens(sample, rollouts.get(position(sample.getSource()))));
                }
            }
            if (!wrong.isEmpty()) {
                missing.put(i, String.join("; ", wrong));
                out.add(record);
                continue;
            }
            // A copy: the caller's record stays as it was read (a builder copies the token-less samples only).
            TrainingBatchGroup resolved = TrainingBatchGroup.newBuilder(record).setTokens(BatchTokens.INLINE).build();
            resolved.setSamples(filled);
            out.add(resolved);
        }
        return new ResolvedBatch(out, missing, missingSamples);
    }

    /** The pair with its tokens: prompt and chosen response from the chosen rollout, rejected from the rejected one. */
    public ResolvedPair resolve(PreferencePair pair) {
        if (pair.getTokens() != BatchTokens.REFERENCE) {
            return new ResolvedPair(pair, null, 0);
        }
        if (pair.getChosenSource() == null || pair.getRejectedSource() == null) {
            return new ResolvedPair(pair, "tokens REFERENCE but no chosen_source or rejected_source", 0);
        }
        Map<RolloutLog.Position, Rollout> rollouts = log().read(
                List.of(position(pair.getChosenSource()), position(pair.getRejectedSource())));
        List<String> wrong = new ArrayList<>();
        Rollout chosen = rollouts.get(position(pair.getChosenSource()));
        Rollout rejected = rollouts.get(position(pair.getRejectedSource()));
        if (chosen == null) {
            wrong.add("chosen: " + gone(pair.getChosenSource()));
        }
        if (rejected == null) {
            wrong.add("rejected: " + gone(pair.getRejectedSource()));
        }
        if (!wrong.isEmpty()) {
            return new ResolvedPair(pair, String.join("; ", wrong), wrong.size());
        }
        PreferencePair out = PreferencePair.newBuilder(pair).setTokens(BatchTokens.INLINE).build();
        // Set on the built record: the builder would deep-copy the buffers.
        out.setPackedPromptTokenIds(Tokens.packInts(Tokens.promptIds(chosen)));
        out.setPackedChosenTokenIds(Tokens.packInts(Tokens.responseIds(chosen)));
        out.setPackedRejectedTokenIds(Tokens.packInts(Tokens.responseIds(rejected)));
        return new ResolvedPair(out, null, 0);
    }

    /** The sample with its rollout's tokens; packed buffers are shared, not copied. */
    public static ScoredSample withTokens(ScoredSample s, Rollout r) {
        ScoredSample.Builder b = ScoredSample.newBuilder(s);
        if (r.getPackedPromptTokenIds() != null && r.getPackedResponseTokenIds() != null
                && r.getPackedBehaviourLogprobs() != null) {
            // Set on the built record: the builder would deep-copy the buffers.
            ScoredSample out = b.build();
            out.setPackedPromptTokenIds(r.getPackedPromptTokenIds());
            out.setPackedResponseTokenIds(r.getPackedResponseTokenIds());
            out.setPackedBehaviourLogprobs(r.getPackedBehaviourLogprobs());
            out.setResponseLength(Tokens.responseLength(r));
            return out;
        }
        return Tokens.pack(b, Tokens.promptIds(r), Tokens.responseIds(r), Tokens.logprobs(r)).build();
    }

    private static String problem(String rolloutId, RolloutPosition source, Map<RolloutLog.Position, Rollout> rollouts) {
        Rollout r = rollouts.get(position(source));
        if (r == null) {
            return gone(source);
        }
        if (!r.getRolloutId().equals(rolloutId)) {
            return "rl.rollouts partition " + source.getPartition() + " offset " + source.getOffset() + " holds rollout "
                    + r.getRolloutId() + ", not " + rolloutId + " (was the topic recreated?)";
        }
        return null;
    }

    private static String gone(RolloutPosition source) {
        return "its rollout at rl.rollouts partition " + source.getPartition() + " offset " + source.getOffset()
                + " is gone (deleted by retention?): rl.rollouts must keep rollouts longer than the trainer lags"
                + " behind (docs/architecture.md, where the tokens go)";
    }

    static RolloutLog.Position position(RolloutPosition p) {
        return new RolloutLog.Position(p.getPartition(), p.getOffset());
    }

    private RolloutLog log() {
        if (log == null) {
            log = logs.open();
        }
        return log;
    }

    @Override
    public void close() {
        if (log != null) {
            log.close();
            log = null;
        }
    }
}
