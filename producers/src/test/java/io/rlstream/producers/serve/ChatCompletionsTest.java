package io.rlstream.producers.serve;

import static io.rlstream.producers.serve.InferenceServerTest.ints;
import static io.rlstream.producers.serve.InferenceServerTest.ok;
import static io.rlstream.producers.serve.InferenceServerTest.post;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.rlstream.model.Policy;
import io.rlstream.model.folder.ModelInit;
import io.rlstream.model.hf.DecoderArchitecture;
import io.rlstream.model.safetensors.Dtype;
import io.rlstream.testkit.RealTokenizers;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /v1/chat/completions on a tiny qwen3 model with Qwen3's real tokenizer and chat template. */
class ChatCompletionsTest {

    @TempDir
    Path tmp;

    /**
     * System "You are terse." and user "What is 2+2?" with the generation prompt, as the independent
     * JavaScript tokenizer encodes the text Qwen3's template renders (model/src/test/resources/
     * tokenizers/golden.json; the same ids as PromptRendererTest's).
     */
    private static final int[] QWEN3_SYSTEM_AND_USER = {151644, 8948, 198, 2610, 525, 50537, 13, 151645, 198,
            151644, 872, 198, 3838, 374, 220, 17, 10, 17, 30, 151645, 198, 151644, 77091, 198};

    @Test
    void messagesAreRenderedWithTheChatTemplateThenGeneratedAsCompletions() throws Exception {
        Path dir = tmp.resolve("qwen3-tiny");
        new ModelInit(DecoderArchitecture.QWEN3, 1, 16, 2, 1, 32, 8, null, true, 3, Dtype.F32)
                .write(RealTokenizers.folder("qwen3").toString(), dir);
        try (InferenceServer server = InferenceServer.start(dir, "qwen3-tiny", "v0", "127.0.0.1", 0);
             Policy ref = Policy.load(dir)) {
            JsonNode r = ok(post(server, "/v1/chat/completions", """
                    {"model": "qwen3-tiny", "messages": [{"role": "system", "content": "You are terse."},
                     {"role": "user", "content": "What is 2+2?"}], "max_tokens": 5, "temperature": 0,
                     "logprobs": true, "top_logprobs": 2, "return_token_ids": true}"""));
            assertEquals("chat.completion", r.get("object").asText());
            assertArrayEquals(QWEN3_SYSTEM_AND_USER, ints(r.get("prompt_token_ids")));
            JsonNode choice = r.get("choices").get(0);
            int[] tokens = ints(choice.get("token_ids"));
            assertArrayEquals(ref.greedy(List.of(QWEN3_SYSTEM_AND_USER), 5).get(0).tokens(), tokens);
            assertEquals("assistant", choice.get("message").get("role").asText());
            assertEquals(ref.tokenizer().decode(tokens, true), choice.get("message").get("content").asText());
            float[] expected;
            try (NDManager scope = ref.newScope()) {
                expected = ref.responseLogprobs(scope, List.of(QWEN3_SYSTEM_AND_USER), List.of(tokens), 1f, false)
                        .logprobs().toFloatArray();
            }
            JsonNode content = choice.get("logprobs").get("content");
            assertEquals(tokens.length, content.size());
            for (int j = 0; j < tokens.length; j++) {
                assertEquals(expected[j], content.get(j).get("logprob").asDouble(), 1e-5);
                assertEquals(ref.tokenizer().decode(new int[] {tokens[j]}), content.get(j).get("token").asText());
                // greedy: the chosen token is the most probable of the 2 alternatives listed
                JsonNode alternatives = content.get(j).get("top_logprobs");
                assertEquals(2, alternatives.size());
                assertEquals(content.get(j).get("token").asText(), alternatives.get(0).get("token").asText());
                assertEquals(expected[j], alternatives.get(0).get("logprob").asDouble(), 1e-5);
                assertTrue(alternatives.get(1).get("logprob").asDouble() <= alternatives.get(0).get("logprob").asDouble());
            }
            assertEquals(QWEN3_SYSTEM_AND_USER.length, r.get("usage").get("prompt_tokens").asInt());
            // A role the template does not know is the client's error.
            assertEquals(400, post(server, "/v1/chat/completions",
                    "{\"messages\": [{\"role\": \"robot\", \"content\": \"hi\"}]}").statusCode());
            assertTrue(ok(post(server, "/v1/chat/completions",
                    "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 2}"))
                    .get("choices").get(0).get("logprobs").isNull());
        }
    }
}
