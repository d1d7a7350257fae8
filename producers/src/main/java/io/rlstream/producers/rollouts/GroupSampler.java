package io.rlstream.producers.rollouts;

import io.rlstream.tokens.Tokens;
import io.rlstream.events.FinishReason;
import io.rlstream.events.PromptDispatch;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.model.Generation;
import io.rlstream.model.Policy;
import io.rlstream.producers.rendering.ChatTemplateUse;
import io.rlstream.producers.rendering.PromptRenderer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Samples the G responses of each dispatched group with the current policy, all groups that share
 * sampling settings in one batched generation. Each response becomes a {@link Rollout} with its
 * token ids, behaviour log-probs and policy version. A prompt the tokenizer cannot encode, or a
 * generation that throws, yields FAILED rollouts with the reason, never silence.
 */
public final class GroupSampler {

    private final String generatorId;
    private final Random random;
    private final ChatTemplateUse chatTemplate;
    private final Boolean enableThinking;

    /** Plain text prompts encoded as they are, chat messages through the model's template. */
    public GroupSampler(String generatorId, long seed) {
        this(generatorId, seed, ChatTemplateUse.AUTO, null);
    }

    /**
     * @param chatTemplate when prompts go through the chat template (generate.chat-template)
     * @param enableThinking the template's enable_thinking; null for its default
     */
    public GroupSampler(String generatorId, long seed, ChatTemplateUse chatTemplate, Boolean enableThinking) {
        this.generatorId = generatorId;
        this.chatTemplate = chatTemplate;
        this.enableThinking = enableThinking;
        this.random = new Random(seed);
    }

    public List<Rollout> sample(Policy policy, long policyVersion, List<PromptDispatch> dispatches) {
        List<Rollout> out = new ArrayList<>();
        Map<String, List<PromptDispatch>> bySettings = new LinkedHashMap<>();
        Map<PromptDispatch, int[]> encoded = new IdentityHashMap<>();
        PromptRenderer renderer = new PromptRenderer(policy.tokenizer(), chatTemplate, enableThinking,
                policy.config().vocabSize());
        for (PromptDispatch d : dispatches) {
            try {
                encoded.put(d, renderer.render(d));
            } catch (RuntimeException e) {
                out.addAll(failed(d, policyVersion, "cannot tokenize prompt: " + e.getMessage()));
                continue;
            }
            bySettings.computeIfAbsent(d.getTemperature() + "/" + d.getMaxNewTokens(), k -> new ArrayList<>()).add(d);
        }
        for (List<PromptDispatch> same : bySettings.values()) {
            out.addAll(sampleSameSettings(policy, policyVersion, same, encoded));
        }
        return out;
    }

    private List<Rollout> sampleSameSettings(Policy policy, long version, List<PromptDispatch> dispatches,
            Map<PromptDispatch, int[]> encodedPrompts) {
        List<int[]> prompts = new ArrayList<>();
        for (PromptDispatch d : dispatches) {
            int[] encoded = encodedPrompts.get(d);
            for (int i = 0; i < d.getGroupSize(); i++) {
                prompts.add(encoded);
            }
        }
        PromptDispatch first = dispatches.get(0);
        List<Generation> generations;
        try {
            generations = policy.sample(prompts, first.getMaxNewTokens(), first.getTemperature(), random.nextLong());
        } catch (RuntimeException e) {
            if (dispatches.size() > 1) {
                // one group that cannot be generated (a prompt too long for the context...) must not fail the others
                List<Rollout> each = new ArrayList<>();
                dispatches.forEach(d -> each.addAll(sampleSameSettings(policy, version, List.of(d), encodedPrompts)));
                return each;
            }
            List<Rollout> failed = new ArrayList<>();
            dispatches.forEach(d -> failed.addAll(failed(d, version, "generation failed: " + e)));
            return failed;
        }
        List<Rollout> out = new ArrayList<>(prompts.size());
        int next = 0;
        Instant now = Instant.now();
        for (PromptDispatch d : dispatches) {
            for (int i = 0; i < d.getGroupSize(); i++, next++) {
                Generation g = generations.get(next);
                out.add(Tokens.pack(base(d, i, version, now), prompts.get(next), g.tokens(), g.logprobs())
                        .setResponseText(policy.tokenizer().decode(g.tokens(), true))
                        .setFinishReason(g.truncated() ? FinishReason.LENGTH : FinishReason.STOP)
                        .setStatus(SampleStatus.OK)
                        .build());
            }
        }
        return out;
    }

    private List<Rollout> failed(PromptDispatch d, long version, String reason) {
        return RolloutRecords.failed(generatorId, d, version, reason);
    }

    private Rollout.Builder base(PromptDispatch d, int index, long version, Instant now) {
        return RolloutRecords.base(generatorId, d, index, version, now);
    }

    private static List<Integer> boxed(int[] values) {
        return RolloutRecords.boxed(values);
    }

    private static List<Float> boxed(float[] values) {
        return RolloutRecords.boxed(values);
    }
}
