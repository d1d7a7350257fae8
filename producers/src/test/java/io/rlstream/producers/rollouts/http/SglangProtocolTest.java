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
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SGLang's /generate JSON against fixtures written from python/sglang/srt/managers/io_struct.py
 * (GenerateReqInput: input_ids, sampling_params {n, temperature, top_p, max_new_tokens,
 * stop_token_ids}, return_logprob) and tokenizer_manager.py's answer: per sample
 * {"text", "output_ids", "meta_info": {"id", "finish_reason": {"type": "stop", "matched": id} or
 * {"type": "length", "length": n}, "prompt_tokens", "weight_version", "output_token_logprobs":
 * [[logprob, token_id, text_or_null], ...], "completion_tokens", ...}}, a JSON array when n > 1.
 */
class SglangProtocolTest {

    private final SglangProtocol protocol = new SglangProtocol();

    @Test
    void theRequestIsGenerateReqInputWithInputIdsAndReturnLogprob() {
        GenerateRequest r = new GenerateRequest("ignored", new int[] {151644, 872, 198}, 4, 0.7f, 1.0, 64,
                new int[] {151645, 151643}, 42);
        assertEquals("/generate", protocol.generatePath());
        assertEquals(Fixtures.json("sglang-generate-request.json"), Fixtures.asSent(protocol.generateBody(r)));
    }

    @Test
    void samplesCarryTheServersIdsLogprobsAndWeightVersion() {
        List<ServerSample> samples = protocol.parseGenerate(Fixtures.json("sglang-generate-n2.json"), 2);
        assertArrayEquals(new int[] {19, 151645}, samples.get(0).tokenIds());
        assertArrayEquals(new float[] {-0.25f, -0.0625f}, samples.get(0).logprobs());
        assertFalse(samples.get(0).truncated());
        assertEquals(7L, samples.get(0).weightVersion());
        assertArrayEquals(new int[] {17, 10, 17}, samples.get(1).tokenIds());
        assertArrayEquals(new float[] {-1.5f, -0.5f, -2.0f}, samples.get(1).logprobs());
        assertTrue(samples.get(1).truncated());
    }

    @Test
    void oneSampleIsAnObjectNotAnArray() {
        JsonNode one = Fixtures.json("sglang-generate-n2.json").get(1);
        assertArrayEquals(new int[] {17, 10, 17}, protocol.parseGenerate(one, 1).get(0).tokenIds());
    }

    @Test
    void aVersionThatIsNotANumberIsUnknown() {
        // SGLang's default weight_version is the string "default" (server_args.py)
        ArrayNode answer = (ArrayNode) Fixtures.json("sglang-generate-n2.json").deepCopy();
        ((ObjectNode) answer.get(0).get("meta_info")).put("weight_version", "default");
        assertNull(protocol.parseGenerate(answer, 2).get(0).weightVersion());
        assertNull(SglangProtocol.version(TextNode.valueOf("v1.2")));
    }

    @Test
    void anAnswerWithoutWhatWasAskedForIsMalformedAndSaysWhat() {
        JsonNode good = Fixtures.json("sglang-generate-n2.json");
        assertTrue(assertThrows(MalformedResponseException.class, () -> protocol.parseGenerate(good, 4))
                .getMessage().contains("n = 4"));

        ArrayNode noLogprobs = (ArrayNode) good.deepCopy();
        ((ObjectNode) noLogprobs.get(1).get("meta_info")).remove("output_token_logprobs");
        assertTrue(assertThrows(MalformedResponseException.class, () -> protocol.parseGenerate(noLogprobs, 2))
                .getMessage().contains("output_token_logprobs"));

        ArrayNode disagree = (ArrayNode) good.deepCopy();
        ((ArrayNode) disagree.get(0).get("output_ids")).set(0, 20);
        assertTrue(assertThrows(MalformedResponseException.class, () -> protocol.parseGenerate(disagree, 2))
                .getMessage().contains("differ"));

        ArrayNode aborted = (ArrayNode) good.deepCopy();
        ((ObjectNode) aborted.get(0).get("meta_info")).set("finish_reason",
                ServerProtocol.JSON.createObjectNode().put("type", "abort").put("message", "Abort in waiting queue"));
        assertTrue(assertThrows(MalformedResponseException.class, () -> protocol.parseGenerate(aborted, 2))
                .getMessage().contains("Abort in waiting queue"));
    }

    @Test
    void weightSyncIsOneUpdateFromDiskWithTheVersionThatMustReportSuccess() {
        List<SyncStep> steps = protocol.syncSteps(Path.of("/ckpt/v3"), 3);
        assertEquals(1, steps.size());
        assertEquals("/update_weights_from_disk", steps.get(0).path());
        assertEquals(ServerProtocol.JSON.createObjectNode().put("model_path", "/ckpt/v3").put("weight_version", "3"),
                steps.get(0).body());
        assertTrue(steps.get(0).reportsSuccess());
        assertTrue(protocol.syncCleanup().isEmpty());
    }
}
