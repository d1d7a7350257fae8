package io.rlstream.producers.rollouts.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * vLLM's /v1/completions JSON against fixtures written from vllm/entrypoints/openai/protocol.py
 * (CompletionRequest: prompt as token ids, n, temperature, top_p, max_tokens, stop_token_ids, seed,
 * logprobs, return_tokens_as_token_ids, return_token_ids; CompletionResponse /
 * CompletionResponseChoice: index, text, logprobs = CompletionLogProbs {text_offset,
 * token_logprobs, tokens, top_logprobs}, finish_reason, stop_reason, prompt_logprobs,
 * prompt_token_ids, token_ids; usage) and vLLM's serving_completion.py, which writes each token as
 * "token_id:{id}" under return_tokens_as_token_ids.
 */
class OpenAiProtocolTest {

    private final OpenAiProtocol protocol = new OpenAiProtocol();

    @Test
    void theRequestIsCompletionRequestWithTokenIdsNAndLogprobsOfTheSampledToken() {
        GenerateRequest r = new GenerateRequest("Qwen/Qwen3-0.6B", new int[] {151644, 872, 198}, 4, 0.7f, 1.0, 64,
                new int[] {151645, 151643}, 42);
        assertEquals("/v1/completions", protocol.generatePath());
        assertEquals(Fixtures.json("vllm-completion-request.json"), Fixtures.asSent(protocol.generateBody(r)));
    }

    @Test
    void noModelNameLeavesModelOutSoTheServerUsesItsOwn() {
        GenerateRequest r = new GenerateRequest("", new int[] {1}, 1, 1f, 1.0, 8, new int[] {2}, 0);
        assertFalse(protocol.generateBody(r).has("model"));
    }

    @Test
    void choicesBecomeSamplesInIndexOrderWithTheServersIdsAndLogprobs() {
        List<ServerSample> samples = protocol.parseGenerate(Fixtures.json("vllm-completion-n2.json"), 2);
        // choices[] lists index 1 first: sample 0 is the choice with index 0
        assertArrayEquals(new int[] {17, 10, 17}, samples.get(0).tokenIds());
        assertArrayEquals(new float[] {-1.5f, -0.5f, -2.0f}, samples.get(0).logprobs());
        assertTrue(samples.get(0).truncated(), "finish_reason length");
        assertArrayEquals(new int[] {19, 151645}, samples.get(1).tokenIds());
        assertArrayEquals(new float[] {-0.25f, -0.0625f}, samples.get(1).logprobs());
        assertFalse(samples.get(1).truncated(), "finish_reason stop");
        assertNull(samples.get(0).weightVersion(), "vLLM does not say which weights it served");
    }

    @Test
    void withoutTokenIdsTheIdsComeFromTheTokenIdTokens() {
        List<ServerSample> samples = protocol.parseGenerate(Fixtures.json("vllm-completion-tokens-as-ids.json"), 1);
        assertArrayEquals(new int[] {22, 2}, samples.get(0).tokenIds());
        assertArrayEquals(new float[] {-0.125f, -0.75f}, samples.get(0).logprobs());
    }

    @Test
    void anAnswerWithoutWhatWasAskedForIsMalformedAndSaysWhat() {
        JsonNode good = Fixtures.json("vllm-completion-n2.json");
        assertTrue(assertThrows(MalformedResponseException.class, () -> protocol.parseGenerate(good, 3))
                .getMessage().contains("n = 3"));

        ObjectNode noLogprobs = good.deepCopy();
        ((ObjectNode) noLogprobs.get("choices").get(0)).putNull("logprobs");
        assertTrue(assertThrows(MalformedResponseException.class, () -> protocol.parseGenerate(noLogprobs, 2))
                .getMessage().contains("no logprobs"));

        ObjectNode shorter = good.deepCopy();
        ((ArrayNode) shorter.get("choices").get(0).get("token_ids")).remove(0);
        assertTrue(assertThrows(MalformedResponseException.class, () -> protocol.parseGenerate(shorter, 2))
                .getMessage().contains("1 token ids but 2 log-probs"));

        ObjectNode aborted = good.deepCopy();
        ((ObjectNode) aborted.get("choices").get(1)).put("finish_reason", "abort");
        assertTrue(assertThrows(MalformedResponseException.class, () -> protocol.parseGenerate(aborted, 2))
                .getMessage().contains("abort"));

        ObjectNode positive = good.deepCopy();
        ((ArrayNode) positive.get("choices").get(1).get("logprobs").get("token_logprobs")).set(0, 0.5);
        assertTrue(assertThrows(MalformedResponseException.class, () -> protocol.parseGenerate(positive, 2))
                .getMessage().contains("not a log-probability"));

        ObjectNode textTokens = Fixtures.json("vllm-completion-tokens-as-ids.json").deepCopy();
        ((ArrayNode) textTokens.get("choices").get(0).get("logprobs").get("tokens")).set(0, "7");
        assertTrue(assertThrows(MalformedResponseException.class, () -> protocol.parseGenerate(textTokens, 1))
                .getMessage().contains("return_tokens_as_token_ids"));
    }

    @Test
    void weightSyncIsPauseReloadResetAndAlwaysResume() {
        List<SyncStep> steps = protocol.syncSteps(Path.of("/ckpt/v3"), 3);
        assertEquals(List.of("/pause", "/collective_rpc", "/reset_prefix_cache"), steps.stream().map(SyncStep::path).toList());
        assertEquals(Fixtures.asSent(ServerProtocol.JSON.createObjectNode().put("method", "reload_weights")
                .set("kwargs", ServerProtocol.JSON.createObjectNode().put("weights_path", "/ckpt/v3"))), steps.get(1).body());
        assertEquals("/resume", protocol.syncCleanup().orElseThrow().path());
    }
}
