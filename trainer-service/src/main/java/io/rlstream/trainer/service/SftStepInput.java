package io.rlstream.trainer.service;

import io.rlstream.events.Prompt;
import io.rlstream.model.Policy;
import io.rlstream.model.tokenizer.HfTokenizer;
import io.rlstream.monitoring.metrics.MetricCatalog;
import io.rlstream.monitoring.metrics.MetricName;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/**
 * sft mode: prompts with reference answers from rl.prompts, a fixed number per cross-entropy step
 * on the answer followed by end-of-sequence (the warm start of the demo, as a service). A prompt
 * without a reference answer teaches nothing here and is skipped.
 */
final class SftStepInput implements StepInput {

    private final int promptsPerStep;
    private final HfTokenizer tokenizer;
    private final int eos;
    private final List<int[]> prompts = new ArrayList<>();
    private final List<int[]> targets = new ArrayList<>();
    private final List<Long> offsets = new ArrayList<>();
    private final int vocab;
    private long firstOffset = -1;

    /** Prompts and answers are encoded with the policy's tokenizer; answers end with its first stop id. */
    SftStepInput(int promptsPerStep, Policy policy) {
        this.promptsPerStep = promptsPerStep;
        this.tokenizer = policy.tokenizer();
        int[] stops = policy.stopTokenIds();
        if (stops.length == 0) {
            throw new IllegalArgumentException("sft mode needs an end-of-sequence id to end the answers, but the"
                    + " model's generation_config.json and config.json give no eos_token_id");
        }
        this.eos = stops[0];
        this.vocab = policy.config().vocabSize();
    }

    @Override
    public Class<? extends SpecificRecord> eventType() {
        return Prompt.class;
    }

    @Override
    public Optional<Step> add(SpecificRecord event, long offset) {
        Prompt prompt = (Prompt) event;
        if (prompt.getReferenceAnswer() == null) {
            return Optional.empty();
        }
        // Throws for text the tokenizer cannot encode: the service dead-letters the record.
        int[] promptTokens = tokenizer.encode(prompt.getText(), true);
        int[] answer = tokenizer.encode(prompt.getReferenceAnswer(), false);
        int[] target = Arrays.copyOf(answer, answer.length + 1);
        target[answer.length] = eos;
        // The tokenizer may know ids (added tokens) that the model's embedding has no row for.
        String problem = InputChecks.supervised(promptTokens, target, vocab);
        if (problem != null) {
            throw new IllegalArgumentException("prompt " + prompt.getPromptId() + ": " + problem);
        }
        if (prompts.isEmpty()) {
            firstOffset = offset;
        }
        prompts.add(promptTokens);
        targets.add(target);
        offsets.add(offset);
        if (prompts.size() < promptsPerStep) {
            return Optional.empty();
        }
        List<int[]> p = List.copyOf(prompts);
        List<int[]> t = List.copyOf(targets);
        prompts.clear();
        targets.clear();
        List<Long> consumed = List.copyOf(offsets);
        offsets.clear();
        return Optional.of(new Step(List.of("prompts@" + firstOffset + ".." + offset), trainer -> {
            Map<MetricName, Double> m = new LinkedHashMap<>();
            m.put(MetricCatalog.TRAINER_LOSS, trainer.supervisedStep(p, t));
            m.put(MetricCatalog.TRAINER_PROMPTS, (double) p.size());
            return m;
        }, consumed));
    }
}
