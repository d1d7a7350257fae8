package io.rlstream.producers.rollouts.http;

/**
 * One group's generation request, whatever the server: the prompt as token ids, n = G samples.
 *
 * @param model the served model name (OpenAI "model"); empty to leave it to the server
 * @param seed the request's sampling seed
 */
public record GenerateRequest(String model, int[] promptTokenIds, int n, float temperature, double topP,
        int maxNewTokens, int[] stopTokenIds, long seed) {
}
