package io.rlstream.trainer.service;

import io.rlstream.events.PreferencePair;
import io.rlstream.events.ScoredSample;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.tokens.Tokens;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the trainer checks of its input before training on it: a token id outside the policy's
 * vocabulary would kill the step at the embedding lookup, a non-finite number would make the loss
 * and the weights NaN. Each check returns what is wrong, in words, or nothing.
 */
final class InputChecks {

    private InputChecks() {
    }

    /**
     * The problems of a complete training batch, by the index of its record in {@code batch}; empty
     * when the batch can be trained. The batch is trained whole or not at all.
     *
     * @param vocab          the policy's vocabulary size: ids must be in [0, vocab)
     * @param needAdvantages rl mode reads the advantages; group mode the rewards only
     */
    static Map<Integer, String> trainingBatch(List<TrainingBatchGroup> batch, int vocab, boolean needAdvantages) {
        Map<Integer, String> problems = new LinkedHashMap<>();
        int total = 0;
        for (TrainingBatchGroup record : batch) {
            total += record.getSamples().size();
        }
        for (int i = 0; i < batch.size(); i++) {
            TrainingBatchGroup record = batch.get(i);
            List<String> wrong = new ArrayList<>();
            if (record.getBatchGroups() != batch.size()) {
                wrong.add("batch_groups " + record.getBatchGroups() + " but the batch has " + batch.size() + " records");
            }
            if (record.getGroupIndex() != i) {
                wrong.add("group_index " + record.getGroupIndex() + " where " + i + " was expected (0.."
                        + (batch.size() - 1) + ")");
            }
            if (record.getBatchSamples() != total) {
                wrong.add("batch_samples " + record.getBatchSamples() + " but the batch's records hold " + total);
            }
            List<ScoredSample> samples = record.getSamples();
            if (samples.isEmpty()) {
                // the grouping app never writes one; a step on it would divide by a zero token count
                wrong.add("no samples: an empty group");
            }
            for (int s = 0; s < samples.size(); s++) {
                String problem = sample(samples.get(s), vocab, needAdvantages);
                if (problem != null) {
                    wrong.add("sample " + s + " (" + samples.get(s).getRolloutId() + "): " + problem);
                }
            }
            if (!wrong.isEmpty()) {
                problems.put(i, String.join("; ", wrong));
            }
        }
        return problems;
    }

    /** What is wrong with one scored sample, or null. */
    static String sample(ScoredSample s, int vocab, boolean needAdvantage) {
        try {
            int[] prompt = Tokens.promptIds(s);
            int[] response = Tokens.responseIds(s);
            float[] logprobs = Tokens.logprobs(s);
            List<String> wrong = new ArrayList<>();
            ids("prompt", prompt, vocab, wrong);
            ids("response", response, vocab, wrong);
            if (logprobs.length != response.length) {
                wrong.add(logprobs.length + " behaviour log-probs for " + response.length + " response tokens");
            }
            for (int t = 0; t < logprobs.length; t++) {
                if (!Float.isFinite(logprobs[t])) {
                    wrong.add("behaviour log-prob " + logprobs[t] + " at response position " + t);
                    break;
                }
            }
            if (!Double.isFinite(s.getReward())) {
                wrong.add("reward " + s.getReward());
            }
            if (needAdvantage && !Float.isFinite(s.getAdvantage())) {
                wrong.add("advantage " + s.getAdvantage());
            }
            if (s.getTemperature() != null && !(s.getTemperature() > 0 && Float.isFinite(s.getTemperature()))) {
                wrong.add("temperature " + s.getTemperature() + " (must be finite and > 0)");
            }
            return wrong.isEmpty() ? null : String.join(", ", wrong);
        } catch (RuntimeException e) {
            return "unreadable tokens: " + e.getMessage();
        }
    }

    /** What is wrong with a preference pair, or null. */
    static String preferencePair(PreferencePair pair, int vocab) {
        try {
            List<String> wrong = new ArrayList<>();
            ids("prompt", Tokens.promptIds(pair), vocab, wrong);
            ids("chosen", Tokens.chosenIds(pair), vocab, wrong);
            ids("rejected", Tokens.rejectedIds(pair), vocab, wrong);
            return wrong.isEmpty() ? null : String.join(", ", wrong);
        } catch (RuntimeException e) {
            return "unreadable tokens: " + e.getMessage();
        }
    }

    /** sft: the encoded prompt and target; the tokenizer may know ids the model's embedding has not. */
    static String supervised(int[] prompt, int[] target, int vocab) {
        List<String> wrong = new ArrayList<>();
        ids("prompt", prompt, vocab, wrong);
        ids("target", target, vocab, wrong);
        return wrong.isEmpty() ? null : String.join(", ", wrong);
    }

    /** Adds a problem if the ids are empty or one lies outside [0, vocab). */
    private static void ids(String what, int[] ids, int vocab, List<String> wrong) {
        if (ids.length == 0) {
            wrong.add("empty " + what);
            return;
        }
        for (int t = 0; t < ids.length; t++) {
            if (ids[t] < 0 || ids[t] >= vocab) {
                wrong.add(what + " token id " + ids[t] + " at position " + t + " outside the vocabulary [0, " + vocab + ")");
                return;
            }
        }
    }
}
