package io.rlstream.producers.prompts;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Which field of a dataset row is what part of a {@link io.rlstream.events.Prompt}. Each key is a
 * field name or a dotted path into nested objects ({@code reward_model.ground_truth}); an empty key
 * means "not in this dataset".
 *
 * <ul>
 *   <li>{@code input.key}: the prompt: a string (plain text) or a list of {role, content} (chat
 *       messages), as OpenRLHF's {@code --input_key} with or without {@code --apply_chat_template};</li>
 *   <li>{@code messages.key}: chat messages in a field of their own, beside a plain text in
 *       {@code input.key} (rlstream's own layout: {@code text} and {@code messages});</li>
 *   <li>{@code label.key}: the reference answer (OpenRLHF's {@code --label_key});</li>
 *   <li>{@code id.key}: the prompt id, used as it is; rows without one get {@code <dataset>:<row>};</li>
 *   <li>{@code dataset.key}: the dataset name of each row (verl's {@code data_source}); without it,
 *       {@code --dataset} or the file name;</li>
 *   <li>{@code task.key}: the task family, which picks the default verifier (verl's {@code ability});</li>
 *   <li>{@code metadata.keys}: comma-separated fields copied into the prompt's metadata as strings.</li>
 * </ul>
 *
 * <p>Presets: {@code rlstream} (the default: {@code text}/{@code messages}, {@code answer},
 * {@code prompt_id}, {@code task}), {@code verl} (the parquet columns of verl's
 * examples/data_preprocess scripts, e.g. gsm8k.py: {@code data_source}, {@code prompt} as chat
 * messages, {@code ability}, {@code reward_model.ground_truth}, {@code extra_info.index}) and
 * {@code openrlhf} (OpenRLHF's default {@code --input_key input}, and {@code label} for
 * {@code --label_key}).
 */
public record FieldMapping(String inputKey, String messagesKey, String labelKey, String idKey, String datasetKey,
        String taskKey, List<String> metadataKeys) {

    public static final String INPUT = "input.key";
    public static final String MESSAGES = "messages.key";
    public static final String LABEL = "label.key";
    public static final String ID = "id.key";
    public static final String DATASET = "dataset.key";
    public static final String TASK = "task.key";
    public static final String METADATA = "metadata.keys";
    /** The keys of a mapping file, in the order they are documented. */
    public static final List<String> KEYS = List.of(INPUT, MESSAGES, LABEL, ID, DATASET, TASK, METADATA);

    public static final FieldMapping RLSTREAM = new FieldMapping("text", "messages", "answer", "prompt_id", "", "task",
            List.of());
    public static final FieldMapping VERL = new FieldMapping("prompt", "", "reward_model.ground_truth",
            "extra_info.index", "data_source", "ability", List.of("reward_model.style", "extra_info.split"));
    public static final FieldMapping OPENRLHF = new FieldMapping("input", "", "label", "", "", "", List.of());

    /** The presets by name. */
    public static final Map<String, FieldMapping> PRESETS = presets();

    public FieldMapping {
        metadataKeys = List.copyOf(metadataKeys);
        if (inputKey.isEmpty() && messagesKey.isEmpty()) {
            throw new IllegalArgumentException("a mapping needs input.key or messages.key: where the prompt is");
        }
    }

    private static Map<String, FieldMapping> presets() {
        Map<String, FieldMapping> p = new LinkedHashMap<>();
        p.put("rlstream", RLSTREAM);
        p.put("verl", VERL);
        p.put("openrlhf", OPENRLHF);
        return p;
    }

    /** The preset of this name; an {@link IllegalArgumentException} naming the presets otherwise. */
    public static FieldMapping preset(String name) {
        FieldMapping m = PRESETS.get(name);
        if (m == null) {
            throw new IllegalArgumentException("unknown preset '" + name + "'; presets: " + String.join(", ", PRESETS.keySet()));
        }
        return m;
    }

    /**
     * This mapping with the keys given replaced (a mapping file, or the flags); a key outside
     * {@link #KEYS} is an {@link IllegalArgumentException} naming the valid ones.
     */
    public FieldMapping with(Map<String, String> keys) {
        for (String k : keys.keySet()) {
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("unknown mapping key '" + k + "'; keys: " + String.join(", ", KEYS));
            }
        }
        return new FieldMapping(
                keys.getOrDefault(INPUT, inputKey).trim(),
                keys.getOrDefault(MESSAGES, messagesKey).trim(),
                keys.getOrDefault(LABEL, labelKey).trim(),
                keys.getOrDefault(ID, idKey).trim(),
                keys.getOrDefault(DATASET, datasetKey).trim(),
                keys.getOrDefault(TASK, taskKey).trim(),
                keys.containsKey(METADATA) ? split(keys.get(METADATA)) : metadataKeys);
    }

    /** {@link #with(Map)} for a properties file's entries. */
    public FieldMapping with(Properties properties) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String name : properties.stringPropertyNames()) {
            keys.put(name, properties.getProperty(name));
        }
        return with(keys);
    }

    private static List<String> split(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** The mapping as the lines of a mapping file ({@code key=value}), for reports. */
    public String describe() {
        return INPUT + "=" + inputKey + " " + MESSAGES + "=" + messagesKey + " " + LABEL + "=" + labelKey + " " + ID + "="
                + idKey + " " + DATASET + "=" + datasetKey + " " + TASK + "=" + taskKey + " " + METADATA + "="
                + String.join(",", metadataKeys);
    }
}
