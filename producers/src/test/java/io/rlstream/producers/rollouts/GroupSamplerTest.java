package io.rlstream.producers.rollouts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.tokens.Tokens;
import io.rlstream.events.FinishReason;
import io.rlstream.events.PromptDispatch;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.model.tokenizer.CharTokenizer;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Sampling groups with a real (untrained) DJL policy. */
class GroupSamplerTest {

    private static Policy policy;
    private final CharTokenizer tokenizer = CharTokenizer.arithmetic();

    @BeforeAll
    static void createPolicy() {
        policy = Policy.create(PolicyConfig.demo(), 3);
    }

    @AfterAll
    static void closePolicy() {
        policy.close();
    }

    @Test
    void everyDispatchGetsGRolloutsWithTokensLogprobsAndVersion() {
        GroupSampler sampler = new GroupSampler("w1", 5);
        List<Rollout> rollouts = sampler.sample(policy, 7, List.of(dispatch("g1", "12+30=", 4), dispatch("g2", "5+5=", 3)));
        assertEquals(7, rollouts.size());
        assertEquals("g1/0", rollouts.get(0).getRolloutId());
        assertEquals("g2/2", rollouts.get(6).getRolloutId());
        for (Rollout r : rollouts) {
            assertEquals(SampleStatus.OK, r.getStatus());
            assertEquals(7, r.getPolicyVersion());
            assertEquals("w1", r.getGeneratorId());
            int[] response = Tokens.responseIds(r);
            assertEquals(response.length, Tokens.logprobs(r).length);
            assertTrue(response.length <= 5, "at most max_new_tokens tokens");
            for (float lp : Tokens.logprobs(r)) {
                assertTrue(lp <= 0f, "log-probability " + lp + " > 0");
            }
            assertTrue(r.getResponseTokenIds().isEmpty(), "written packed");
            boolean stopped = response[response.length - 1] == tokenizer.eos();
            assertEquals(stopped ? FinishReason.STOP : FinishReason.LENGTH, r.getFinishReason());
        }
        assertArrayEquals(tokenizer.encodePrompt("12+30="), Tokens.promptIds(rollouts.get(0)));
        // the text is the decoded response without the eos
        Rollout first = rollouts.get(0);
        int[] ids = Tokens.responseIds(first);
        assertEquals(tokenizer.decode(ids), first.getResponseText());
    }

    @Test
    void aPromptOutsideTheAlphabetGivesFailedRolloutsNotSilence() {
        GroupSampler sampler = new GroupSampler("w1", 5);
        List<Rollout> rollouts = sampler.sample(policy, 0, List.of(dispatch("g3", "what is 2+2?", 2), dispatch("g4", "2+2=", 2)));
        assertEquals(4, rollouts.size());
        assertEquals(SampleStatus.FAILED, rollouts.get(0).getStatus());
        assertTrue(rollouts.get(0).getError().startsWith("cannot tokenize prompt"), rollouts.get(0).getError());
        assertEquals(SampleStatus.OK, rollouts.get(2).getStatus());
    }

    /** The demo's character tokenizer has no chat template: a chat prompt fails with the reason, the others go on. */
    @Test
    void aChatPromptTheModelCannotRenderGivesFailedRolloutsWithTheReason() {
        GroupSampler sampler = new GroupSampler("w1", 5);
        PromptDispatch chat = PromptDispatch.newBuilder(dispatch("g5", "2+2=", 2))
                .setMessages(List.of(new io.rlstream.events.ChatMessage("user", "2+2="))).build();
        List<Rollout> rollouts = sampler.sample(policy, 0, List.of(chat, dispatch("g6", "3+3=", 2)));
        assertEquals(SampleStatus.FAILED, rollouts.get(0).getStatus());
        assertTrue(rollouts.get(0).getError().contains("no chat_template"), rollouts.get(0).getError());
        assertEquals(SampleStatus.OK, rollouts.get(2).getStatus());
        // with the template switched off the text of the same dispatch is sampled
        GroupSampler never = new GroupSampler("w1", 5, io.rlstream.producers.rendering.ChatTemplateUse.NEVER, null);
        assertEquals(SampleStatus.OK, never.sample(policy, 0, List.of(chat)).get(0).getStatus());
    }

    private static PromptDispatch dispatch(String group, String text, int g) {
        return PromptDispatch.newBuilder().setGroupId(group).setPromptId("p-" + group).setPromptText(text)
                .setGroupSize(g).setTemperature(1.0f).setMaxNewTokens(5).setPolicyVersion(0)
                .setDispatchedAt(Instant.EPOCH).build();
    }
}
