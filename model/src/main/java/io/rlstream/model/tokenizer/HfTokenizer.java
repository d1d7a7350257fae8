package io.rlstream.model.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Hugging Face tokenizer loaded from a model folder's {@code tokenizer.json} (run by DJL's
 * binding of the Rust {@code tokenizers} library, whose native library ships inside the Maven jar)
 * and {@code tokenizer_config.json} (special tokens and the chat template).
 *
 * <p>{@link #encode(String)} adds no special tokens (no BOS/EOS from the post-processor); special
 * tokens written in the text, such as {@code <|im_start|>}, are still recognised, as transformers'
 * {@code apply_chat_template(tokenize=True)} tokenizes a rendered prompt. {@link #vocabSize} counts
 * the tokenizer's ids (the model vocab and added tokens, the largest id + 1); a model's
 * {@code vocab_size} is often larger (padded, e.g. 151936 for Qwen3's 151669 token ids).
 *
 * <p>Chat prompts are rendered with {@link ChatFormat} recognised from the chat_template (or one
 * chosen by name), then encoded. Holds a native handle: close it. Sharing one instance between
 * threads has not been checked here; give each thread its own or synchronise.
 */
public final class HfTokenizer implements AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;
    private final Map<String, Integer> addedTokens;
    private final Set<Integer> specialIds;
    private final int vocabSize;
    private final Map<String, Integer> vocab;
    private final String bosToken;
    private final String eosToken;
    private final String padToken;
    private final String chatTemplate;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, Map<String, Integer> vocab, Map<String, Integer> addedTokens,
                        Set<Integer> specialIds, int vocabSize, JsonObject config) {
        this.tokenizer = tokenizer;
        this.vocab = vocab;
        this.addedTokens = addedTokens;
        this.specialIds = specialIds;
        this.vocabSize = vocabSize;
        this.bosToken = tokenText(config, "bos_token");
        this.eosToken = tokenText(config, "eos_token");
        this.padToken = tokenText(config, "pad_token");
        JsonElement t = config.get("chat_template");
        this.chatTemplate = t != null && t.isJsonPrimitive() ? t.getAsString() : null;
    }

    /**
     * Loads {@code dir/tokenizer.json} and, if present, {@code dir/tokenizer_config.json}. No
     * truncation, no padding.
     */
    public static HfTokenizer load(Path dir) throws IOException {
        Path json = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(json)) {
            throw new IOException(dir + " has no tokenizer.json");
        }
        JsonObject config = new JsonObject();
        Path configFile = dir.resolve("tokenizer_config.json");
        if (Files.isRegularFile(configFile)) {
            try {
                JsonElement e = JsonParser.parseString(Files.readString(configFile, StandardCharsets.UTF_8));
                if (!e.isJsonObject()) {
                    throw new IOException(configFile + " is not a JSON object");
                }
                config = e.getAsJsonObject();
            } catch (JsonParseException e) {
                throw new IOException(configFile + " is not valid JSON: " + e.getMessage(), e);
            }
        }
        Map<String, Integer> vocab = new HashMap<>();
        Map<String, Integer> added = new HashMap<>();
        Set<Integer> special = new TreeSet<>();
        int[] maxId = {-1};
        try (Reader reader = Files.newBufferedReader(json, StandardCharsets.UTF_8)) {
            readVocabulary(new JsonReader(reader), vocab, added, special, maxId);
        } catch (JsonParseException | IllegalStateException e) {
            throw new IOException(json + " is not a tokenizer.json: " + e.getMessage(), e);
        }
        // added tokens listed only in tokenizer_config.json's added_tokens_decoder
        if (config.has("added_tokens_decoder") && config.get("added_tokens_decoder").isJsonObject()) {
            for (Map.Entry<String, JsonElement> e : config.getAsJsonObject("added_tokens_decoder").entrySet()) {
                JsonObject o = e.getValue().getAsJsonObject();
                int id = Integer.parseInt(e.getKey());
                String content = o.get("content").getAsString();
                added.putIfAbsent(content, id);
                if (o.has("special") && o.get("special").getAsBoolean()) {
                    special.add(id);
                }
                maxId[0] = Math.max(maxId[0], id);
            }
        }
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(json, Map.of(
                "addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        return new HfTokenizer(tokenizer, vocab, added, Collections.unmodifiableSet(special), maxId[0] + 1, config);
    }

    /** Streams tokenizer.json for model.vocab and added_tokens, skipping the merges. */
    private static void readVocabulary(JsonReader in, Map<String, Integer> vocab, Map<String, Integer> added,
                                       Set<Integer> special, int[] maxId) throws IOException {
        in.beginObject();
        while (in.hasNext()) {
            String key = in.nextName();
            if (key.equals("added_tokens") && in.peek() == JsonToken.BEGIN_ARRAY) {
                in.beginArray();
                while (in.hasNext()) {
                    JsonObject o = JsonParser.parseReader(in).getAsJsonObject();
                    int id = o.get("id").getAsInt();
                    added.put(o.get("content").getAsString(), id);
                    if (o.has("special") && o.get("special").getAsBoolean()) {
                        special.add(id);
                    }
                    maxId[0] = Math.max(maxId[0], id);
                }
                in.endArray();
            } else if (key.equals("model") && in.peek() == JsonToken.BEGIN_OBJECT) {
                in.beginObject();
                while (in.hasNext()) {
                    String k = in.nextName();
                    if (k.equals("vocab") && in.peek() == JsonToken.BEGIN_OBJECT) {
                        in.beginObject();
                        while (in.hasNext()) {
                            String token = in.nextName();
                            int id = in.nextInt();
                            vocab.put(token, id);
                            maxId[0] = Math.max(maxId[0], id);
                        }
                        in.endObject();
                    } else if (k.equals("vocab") && in.peek() == JsonToken.BEGIN_ARRAY) {
                        // Unigram: [[piece, score], ...], ids in order
                        in.beginArray();
                        int id = 0;
                        while (in.hasNext()) {
                            in.beginArray();
                            vocab.put(in.nextString(), id);
                            in.skipValue();
                            in.endArray();
                            maxId[0] = Math.max(maxId[0], id++);
                        }
                        in.endArray();
                    } else {
                        in.skipValue();
                    }
                }
                in.endObject();
            } else {
                in.skipValue();
            }
        }
        in.endObject();
    }

    private static String tokenText(JsonObject config, String key) {
        JsonElement e = config.get(key);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (e.isJsonObject()) { // {"__type": "AddedToken", "content": ...}
            JsonElement c = e.getAsJsonObject().get("content");
            return c == null || c.isJsonNull() ? null : c.getAsString();
        }
        return e.getAsString();
    }

    /** Token ids of {@code text}, no special tokens added. */
    public int[] encode(String text) {
        return encode(text, false);
    }

    /** Token ids of {@code text}; {@code addSpecialTokens} runs the post-processor (e.g. a BOS). */
    public int[] encode(String text, boolean addSpecialTokens) {
        return toInts(tokenizer.encode(text, addSpecialTokens, false).getIds());
    }

    /** The text of {@code ids}, special tokens included. */
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longs[i] = ids[i];
        }
        return tokenizer.decode(longs, skipSpecialTokens);
    }

    /** The largest token id + 1 (model vocabulary and added tokens). */
    public int vocabSize() {
        return vocabSize;
    }

    /** The id of a token (its vocabulary string, or an added token's content), or null. */
    public Integer tokenId(String token) {
        Integer id = addedTokens.get(token);
        return id != null ? id : vocab.get(token);
    }

    /** Ids of the added tokens marked special (e.g. {@code <|im_start|>}, {@code <|endoftext|>}). */
    public Set<Integer> specialTokenIds() {
        return specialIds;
    }

    public String bosToken() {
        return bosToken;
    }

    public String eosToken() {
        return eosToken;
    }

    public String padToken() {
        return padToken;
    }

    /** bos_token's id, or null when the tokenizer has none. */
    public Integer bosTokenId() {
        return bosToken == null ? null : tokenId(bosToken);
    }

    public Integer eosTokenId() {
        return eosToken == null ? null : tokenId(eosToken);
    }

    public Integer padTokenId() {
        return padToken == null ? null : tokenId(padToken);
    }

    /** tokenizer_config.json's chat_template text, or null. */
    public String chatTemplate() {
        return chatTemplate;
    }

    /**
     * The chat format of this tokenizer's chat_template.
     *
     * @throws IllegalArgumentException when there is none or it is not recognised (the message
     *     names the supported templates)
     */
    public ChatFormat chatFormat() {
        return ChatFormat.recognise(chatTemplate);
    }

    /** The prompt text of {@code messages} in this tokenizer's chat format. */
    public String renderChat(List<ChatMessage> messages, boolean addGenerationPrompt, Boolean enableThinking) {
        return chatFormat().render(messages, bosToken, addGenerationPrompt, enableThinking);
    }

    /** {@link #renderChat} then {@link #encode(String)} (no special tokens added beyond the text's own). */
    public int[] encodeChat(List<ChatMessage> messages, boolean addGenerationPrompt, Boolean enableThinking) {
        return encode(renderChat(messages, addGenerationPrompt, enableThinking));
    }

    private static int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
