package io.rlstream.processors.curriculum.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlstream.events.PromptSelection;

/**
 * The JSON of the query server: a prompt's view with the field names of the PromptSelection
 * schema (snake case, so the HTTP answer, the Avro docs and {@code --json} read alike), nulls
 * kept as null, {@code updated_at} as ISO-8601.
 */
final class SelectionJson {

    // ASCII out whatever the prompt texts hold, so a terminal's encoding cannot garble --json.
    static final ObjectMapper MAPPER = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    private SelectionJson() {
    }

    static ObjectNode prompt(PromptSelection p) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("prompt_id", p.getPromptId());
        o.put("text", p.getText());
        o.put("selector", p.getSelector());
        o.put("groups", p.getGroups());
        o.put("estimate", p.getEstimate());
        o.put("last_group_mean_reward", p.getLastGroupMeanReward());
        o.put("prediction", p.getPrediction());
        o.put("prediction_error", p.getPredictionError());
        o.put("value_model_updates", p.getValueModelUpdates());
        o.put("value_model_policy_version", p.getValueModelPolicyVersion());
        o.put("pool", p.getPool());
        o.put("selected", p.getSelected());
        o.put("policy_version", p.getPolicyVersion());
        o.put("updated_at", p.getUpdatedAt() == null ? null : p.getUpdatedAt().toString());
        return o;
    }

    static ObjectNode error(String message) {
        return MAPPER.createObjectNode().put("error", message);
    }

    /** The answer's bytes; a body Jackson cannot write (a selector status value) is an IllegalStateException. */
    static byte[] bytes(Object body) {
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the answer as JSON: " + e.getOriginalMessage(), e);
        }
    }
}
