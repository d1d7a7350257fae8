package io.rlstream.producers.serve;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A generation endpoint's answer: the JSON body and the weight version that generated it (sent
 * as {@value InferenceServer#VERSION_HEADER}, so a client tags its samples with the weights that
 * made them even when an update lands while the response is built).
 */
record Served(JsonNode body, String version) {}
