package io.rlstream.processors.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.rlstream.processors.advantage.GroupRewards;
import java.util.Arrays;

/**
 * One group as a line of JSONL: {@code {"group_id": "g1", "rewards": [1, 0], "lengths": [12, 40]}}.
 * {@code lengths} (response lengths in tokens) is optional and defaults to all 1; other fields are
 * ignored. The id is kept as it came (a string or an integer) so that the answer can echo it.
 */
record GroupLine(JsonNode groupId, GroupRewards rewards) {

    /** A line that is not a group; the message says what was expected and what came. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private static final ObjectMapper JSON = JsonMapper.builder()
            // NaN and Infinity then parse, and get the precise "must be finite" message below.
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            // "{...} {...}" on one line is two records glued together, not one.
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static GroupLine parse(String line) throws Malformed {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new Malformed("expected a JSON object like {\"group_id\": \"g1\", \"rewards\": [1, 0]}, got invalid JSON ("
                    + e.getOriginalMessage() + ")");
        }
        if (node == null || !node.isObject()) {
            throw new Malformed("expected a JSON object with \"group_id\" and \"rewards\", got " + describe(node));
        }
        JsonNode id = node.get("group_id");
        if (id == null || !(id.isTextual() || id.isIntegralNumber())) {
            throw new Malformed("expected \"group_id\" as a string, got " + describe(id));
        }
        double[] rewards = rewards(node.get("rewards"));
        int[] lengths = lengths(node.get("lengths"), rewards.length);
        return new GroupLine(id, new GroupRewards(rewards, lengths));
    }

    private static double[] rewards(JsonNode array) throws Malformed {
        if (array == null || !array.isArray()) {
            throw new Malformed("expected \"rewards\" as an array of numbers, got " + describe(array));
        }
        double[] rewards = new double[array.size()];
        for (int i = 0; i < rewards.length; i++) {
            JsonNode reward = array.get(i);
            if (!reward.isNumber()) {
                throw new Malformed("expected reward " + i + " to be a number, got " + describe(reward));
            }
            rewards[i] = reward.doubleValue();
            if (!Double.isFinite(rewards[i])) {
                throw new Malformed("expected reward " + i + " to be a finite number, got " + rewards[i]);
            }
        }
        return rewards;
    }

    private static int[] lengths(JsonNode array, int samples) throws Malformed {
        int[] lengths = new int[samples];
        if (array == null || array.isNull()) {
            Arrays.fill(lengths, 1);
            return lengths;
        }
        if (!array.isArray()) {
            throw new Malformed("expected \"lengths\" as an array of token counts, got " + describe(array));
        }
        if (array.size() != samples) {
            throw new Malformed("expected one length per reward (" + samples + "), got " + array.size() + " lengths");
        }
        for (int i = 0; i < samples; i++) {
            JsonNode length = array.get(i);
            if (!length.isIntegralNumber() || !length.canConvertToInt() || length.intValue() < 0) {
                throw new Malformed("expected length " + i + " to be a whole number of tokens >= 0, got " + describe(length));
            }
            lengths[i] = length.intValue();
        }
        return lengths;
    }

    /** How a value that came reads in a message: its JSON, shortened, and its kind where that helps. */
    private static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        String json = node.toString();
        if (json.length() > 40) {
            json = json.substring(0, 37) + "...";
        }
        if (node.isTextual()) {
            return "the string " + json;
        }
        if (node.isArray()) {
            return "an array " + json;
        }
        if (node.isObject()) {
            return "an object " + json;
        }
        return json;
    }
}
