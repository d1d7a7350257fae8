package io.rlstream.model.folder;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.rlstream.model.tokenizer.CharTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A {@link CharTokenizer} written as Hugging Face tokenizer files, so that a tiny model of the
 * project loads with the same code as any Hugging Face checkpoint (and with transformers'
 * {@code AutoTokenizer}): {@code tokenizer.json} and {@code tokenizer_config.json}, generated here
 * from the alphabet, never copied by hand.
 *
 * <p>{@code tokenizer.json}: the special tokens {@value #PAD} = 0, {@value #BOS} = 1, {@value #EOS}
 * = 2 as added tokens (special); a {@code Split} pre-tokenizer on the regex {@code .} with behaviour
 * {@code Isolated}, so every character is a word of its own; a {@code WordLevel} model mapping
 * each character to {@link CharTokenizer}'s id (3 + its index in the alphabet). Its
 * {@code unk_token} is not in the vocabulary, so a character outside the alphabet is an error of
 * the tokenizers library ("Missing [UNK] token"), as {@link CharTokenizer#encode} throws, instead
 * of a silent unknown id. The post-processor ({@code TemplateProcessing}) puts {@value #BOS} in
 * front when special tokens are added ({@code tokenizer(text)} in transformers, {@code encode(text,
 * true)} here): the ids of {@link CharTokenizer#encodePrompt}. The {@code Fuse} decoder joins the
 * characters without spaces (WordLevel alone would join them with spaces).
 *
 * <p>{@code tokenizer_config.json}: {@code tokenizer_class} PreTrainedTokenizerFast (the class
 * transformers uses for a bare tokenizer.json), bos/eos/pad tokens, {@code added_tokens_decoder},
 * no chat template (the demo's prompts are plain text).
 */
public final class CharTokenizerFiles {

    public static final String PAD = "<pad>";
    public static final String BOS = "<bos>";
    public static final String EOS = "<eos>";
    /** Named by the WordLevel model but absent from its vocabulary on purpose (see the class comment). */
    static final String UNK = "<unk>";

    private CharTokenizerFiles() {}

    /** Writes tokenizer.json and tokenizer_config.json of {@code tokenizer} into {@code dir}. */
    public static void write(CharTokenizer tokenizer, Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(ModelFolder.TOKENIZER), json(tokenizerJson(tokenizer)), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(ModelFolder.TOKENIZER_CONFIG), json(tokenizerConfig()), StandardCharsets.UTF_8);
    }

    static JsonObject tokenizerJson(CharTokenizer tokenizer) {
        JsonObject root = new JsonObject();
        root.addProperty("version", "1.0");
        root.add("truncation", null);
        root.add("padding", null);
        JsonArray added = new JsonArray();
        added.add(addedToken(CharTokenizer.PAD, PAD));
        added.add(addedToken(CharTokenizer.BOS, BOS));
        added.add(addedToken(CharTokenizer.EOS, EOS));
        root.add("added_tokens", added);
        root.add("normalizer", null);

        JsonObject split = new JsonObject();
        split.addProperty("type", "Split");
        JsonObject pattern = new JsonObject();
        pattern.addProperty("Regex", ".");
        split.add("pattern", pattern);
        split.addProperty("behavior", "Isolated");
        split.addProperty("invert", false);
        root.add("pre_tokenizer", split);

        JsonObject post = new JsonObject();
        post.addProperty("type", "TemplateProcessing");
        JsonArray single = new JsonArray();
        single.add(special(BOS));
        single.add(sequence("A", 0));
        JsonArray pair = single.deepCopy();
        pair.add(sequence("B", 1));
        post.add("single", single);
        post.add("pair", pair);
        JsonObject specials = new JsonObject();
        JsonObject bos = new JsonObject();
        bos.addProperty("id", BOS);
        JsonArray ids = new JsonArray();
        ids.add(CharTokenizer.BOS);
        bos.add("ids", ids);
        JsonArray tokens = new JsonArray();
        tokens.add(BOS);
        bos.add("tokens", tokens);
        specials.add(BOS, bos);
        post.add("special_tokens", specials);
        root.add("post_processor", post);

        JsonObject decoder = new JsonObject();
        decoder.addProperty("type", "Fuse");
        root.add("decoder", decoder);

        JsonObject model = new JsonObject();
        model.addProperty("type", "WordLevel");
        JsonObject vocab = new JsonObject();
        vocab.addProperty(PAD, CharTokenizer.PAD);
        vocab.addProperty(BOS, CharTokenizer.BOS);
        vocab.addProperty(EOS, CharTokenizer.EOS);
        String alphabet = tokenizer.alphabet();
        for (int i = 0; i < alphabet.length(); i++) {
            String c = alphabet.substring(i, i + 1);
            vocab.addProperty(c, tokenizer.encode(c)[0]);
        }
        model.add("vocab", vocab);
        model.addProperty("unk_token", UNK);
        root.add("model", model);
        return root;
    }

    static JsonObject tokenizerConfig() {
        JsonObject config = new JsonObject();
        JsonObject decoder = new JsonObject();
        decoder.add(Integer.toString(CharTokenizer.PAD), addedTokenDecoder(PAD));
        decoder.add(Integer.toString(CharTokenizer.BOS), addedTokenDecoder(BOS));
        decoder.add(Integer.toString(CharTokenizer.EOS), addedTokenDecoder(EOS));
        config.add("added_tokens_decoder", decoder);
        config.addProperty("bos_token", BOS);
        config.addProperty("clean_up_tokenization_spaces", false);
        config.addProperty("eos_token", EOS);
        config.addProperty("model_max_length", 1024);
        config.addProperty("pad_token", PAD);
        config.addProperty("tokenizer_class", "PreTrainedTokenizerFast");
        return config;
    }

    private static JsonObject addedToken(int id, String content) {
        JsonObject o = new JsonObject();
        o.addProperty("id", id);
        o.addProperty("content", content);
        o.addProperty("single_word", false);
        o.addProperty("lstrip", false);
        o.addProperty("rstrip", false);
        o.addProperty("normalized", false);
        o.addProperty("special", true);
        return o;
    }

    private static JsonObject addedTokenDecoder(String content) {
        JsonObject o = new JsonObject();
        o.addProperty("content", content);
        o.addProperty("lstrip", false);
        o.addProperty("normalized", false);
        o.addProperty("rstrip", false);
        o.addProperty("single_word", false);
        o.addProperty("special", true);
        return o;
    }

    private static JsonObject special(String id) {
        JsonObject inner = new JsonObject();
        inner.addProperty("id", id);
        inner.addProperty("type_id", 0);
        JsonObject o = new JsonObject();
        o.add("SpecialToken", inner);
        return o;
    }

    private static JsonObject sequence(String id, int typeId) {
        JsonObject inner = new JsonObject();
        inner.addProperty("id", id);
        inner.addProperty("type_id", typeId);
        JsonObject o = new JsonObject();
        o.add("Sequence", inner);
        return o;
    }

    private static String json(JsonObject o) {
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create().toJson(o) + "\n";
    }
}
