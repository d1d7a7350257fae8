package io.rlstream.producers.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed reads of a JSON request body: absent or null fields take the default, a field of the
 * wrong type is a 400 naming the field, what was expected and what came. Unknown fields are
 * ignored, as vLLM and SGLang ignore them.
 */
final class RequestFields {

    private RequestFields() {
    }

    static boolean absent(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull();
    }

    static Integer integer(JsonNode o, String field, Integer dflt) {
        if (absent(o, field)) {
            return dflt;
        }
        JsonNode v = o.get(field);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw wrong(field, "an integer", v);
        }
        return v.intValue();
    }

    static Long longValue(JsonNode o, String field, Long dflt) {
        if (absent(o, field)) {
            return dflt;
        }
        JsonNode v = o.get(field);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw wrong(field, "an integer", v);
        }
        return v.longValue();
    }

    static Double number(JsonNode o, String field, Double dflt) {
        if (absent(o, field)) {
            return dflt;
        }
        JsonNode v = o.get(field);
        if (!v.isNumber()) {
            throw wrong(field, "a number", v);
        }
        return v.doubleValue();
    }

    static Boolean bool(JsonNode o, String field, Boolean dflt) {
        if (absent(o, field)) {
            return dflt;
        }
        JsonNode v = o.get(field);
        if (!v.isBoolean()) {
            throw wrong(field, "true or false", v);
        }
        return v.booleanValue();
    }

    static String string(JsonNode o, String field, String dflt) {
        if (absent(o, field)) {
            return dflt;
        }
        JsonNode v = o.get(field);
        if (!v.isTextual()) {
            throw wrong(field, "a string", v);
        }
        return v.textValue();
    }

    static JsonNode object(JsonNode o, String field) {
        if (absent(o, field)) {
            return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        }
        JsonNode v = o.get(field);
        if (!v.isObject()) {
            throw wrong(field, "a JSON object", v);
        }
        return v;
    }

    /** A list of integers (token ids); empty when absent. */
    static int[] intsField(JsonNode o, String field) {
        if (absent(o, field)) {
            return new int[0];
        }
        return ints(o.get(field), field);
    }

    static int[] ints(JsonNode v, String field) {
        if (!v.isArray()) {
            throw wrong(field, "a list of integers", v);
        }
        int[] out = new int[v.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode x = v.get(i);
            if (!x.isIntegralNumber() || !x.canConvertToInt()) {
                throw wrong(field, "a list of integers", v);
            }
            out[i] = x.intValue();
        }
        return out;
    }

    /** True when {@code v} is a non-empty list whose elements are all lists. */
    static boolean isListOfLists(JsonNode v) {
        if (!v.isArray() || v.isEmpty()) {
            return false;
        }
        for (JsonNode x : v) {
            if (!x.isArray()) {
                return false;
            }
        }
        return true;
    }

    static List<String> strings(JsonNode v, String field) {
        List<String> out = new ArrayList<>();
        for (JsonNode x : v) {
            if (!x.isTextual()) {
                throw wrong(field, "a string or a list of strings", v);
            }
            out.add(x.textValue());
        }
        return out;
    }

    static ApiException wrong(String field, String expected, JsonNode got) {
        String shown = got.toString();
        if (shown.length() > 80) {
            shown = shown.substring(0, 77) + "...";
        }
        return ApiException.badRequest("'" + field + "' must be " + expected + ", got " + shown);
    }
}
