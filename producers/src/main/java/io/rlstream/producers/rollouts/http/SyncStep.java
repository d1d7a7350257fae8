package io.rlstream.producers.rollouts.http;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One POST of a weight sync.
 *
 * @param path the endpoint, e.g. /update_weights_from_disk
 * @param body the JSON body; null for an empty POST
 * @param reportsSuccess true when the answer is SGLang's {"success": bool, "message": str}, whose success must be true
 */
public record SyncStep(String path, JsonNode body, boolean reportsSuccess) {
}
