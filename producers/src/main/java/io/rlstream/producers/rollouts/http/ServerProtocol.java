package io.rlstream.producers.rollouts.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The JSON of one inference server's generation and weight-sync endpoints: request bodies built,
 * answers parsed. No I/O here, so that fixtures copied from the servers' documentation test it.
 */
public interface ServerProtocol {

    ObjectMapper JSON = new ObjectMapper();

    /** Where one group is generated, e.g. /v1/completions. */
    String generatePath();

    /** The body asking for {@code request.n()} samples of one prompt. */
    JsonNode generateBody(GenerateRequest request);

    /**
     * The n samples of an answer to {@link #generateBody}, in sample order.
     *
     * @throws MalformedResponseException when the answer lacks what the protocol promises (n samples, ids, log-probs)
     */
    List<ServerSample> parseGenerate(JsonNode answer, int n);

    /** The POSTs that load the checkpoint in {@code dir} as version {@code version}, in order. */
    List<SyncStep> syncSteps(Path dir, long version);

    /** A POST that must follow the sync steps once the first succeeded, even when a later one failed (vLLM's /resume). */
    Optional<SyncStep> syncCleanup();

    static int[] ints(JsonNode array, String what) {
        if (array == null || !array.isArray()) {
            throw new MalformedResponseException(what + " is not an array: " + array);
        }
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            if (!array.get(i).isIntegralNumber()) {
                throw new MalformedResponseException(what + "[" + i + "] is not an integer: " + array.get(i));
            }
            out[i] = array.get(i).intValue();
        }
        return out;
    }

    static float logprob(JsonNode value, String what) {
        if (value == null || !value.isNumber()) {
            throw new MalformedResponseException(what + " is not a number: " + value);
        }
        float lp = value.floatValue();
        if (!(lp <= 0f)) {
            throw new MalformedResponseException(what + " = " + lp + " is not a log-probability (<= 0)");
        }
        return lp;
    }
}
