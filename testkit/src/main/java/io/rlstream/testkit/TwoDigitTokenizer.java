package io.rlstream.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.StringJoiner;

/**
 * A synthetic BPE tokenizer in Hugging Face format (tokenizer.json, tokenizer_config.json) that is
 * not the demo's character tokenizer: numbers split into two-digit tokens, specials at the end of
 * the vocabulary, so code that assumes one token per character or the ids 0/1/2 fails with it. Its
 * ids follow from the rules below, so a test can compute them by hand instead of asking a tokenizer.
 *
 * <ul>
 *   <li>{@code +} = {@value #PLUS}, {@code =} = {@value #EQUALS}; digit d = 2 + d; two-digit
 *       number n (10..99) = n + 2 (a BPE merge of its two digits);</li>
 *   <li>the pre-tokenizer splits on {@code \d{1,2}} from the left: {@code 123} is {@code 12},
 *       {@code 3};</li>
 *   <li>{@code <|pad|>} = {@value #PAD}, {@code <|bos|>} = {@value #BOS}, {@code <|eos|>} =
 *       {@value #EOS} (special); the post-processor puts BOS first when special tokens are added;
 *       the decoder joins tokens without spaces.</li>
 * </ul>
 */
public final class TwoDigitTokenizer {

    public static final int PLUS = 0;
    public static final int EQUALS = 1;
    public static final int PAD = 102;
    public static final int BOS = 103;
    public static final int EOS = 104;
    /** Ids 0..104. */
    public static final int VOCAB_SIZE = 105;

    private TwoDigitTokenizer() {
    }

    /** The id of a digit 0..9. */
    public static int digit(int d) {
        return 2 + d;
    }

    /** The id of a two-digit number 10..99. */
    public static int twoDigits(int n) {
        return n + 2;
    }

    /** Writes tokenizer.json and tokenizer_config.json into {@code dir} (created if needed). */
    public static Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        StringJoiner vocab = new StringJoiner(", ", "{", "}");
        vocab.add("\"+\": " + PLUS).add("\"=\": " + EQUALS);
        for (int d = 0; d <= 9; d++) {
            vocab.add("\"" + d + "\": " + digit(d));
        }
        StringJoiner merges = new StringJoiner(", ", "[", "]");
        for (int n = 10; n <= 99; n++) {
            vocab.add("\"" + n + "\": " + twoDigits(n));
            merges.add("\"" + n / 10 + " " + n % 10 + "\"");
        }
        String json = """
                {
                  "version": "1.0",
                  "truncation": null,
                  "padding": null,
                  "added_tokens": [%s, %s, %s],
                  "normalizer": null,
                  "pre_tokenizer": {"type": "Split", "pattern": {"Regex": "\\\\d{1,2}"}, "behavior": "Isolated",
                    "invert": false},
                  "post_processor": {"type": "TemplateProcessing",
                    "single": [{"SpecialToken": {"id": "<|bos|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                    "pair": [{"SpecialToken": {"id": "<|bos|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                      {"Sequence": {"id": "B", "type_id": 1}}],
                    "special_tokens": {"<|bos|>": {"id": "<|bos|>", "ids": [%d], "tokens": ["<|bos|>"]}}},
                  "decoder": {"type": "Fuse"},
                  "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
                    "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false,
                    "vocab": %s,
                    "merges": %s}
                }
                """.formatted(added(PAD, "<|pad|>"), added(BOS, "<|bos|>"), added(EOS, "<|eos|>"), BOS, vocab, merges);
        Files.writeString(dir.resolve("tokenizer.json"), json, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"bos_token": "<|bos|>", "eos_token": "<|eos|>", "pad_token": "<|pad|>",
                 "tokenizer_class": "PreTrainedTokenizerFast", "clean_up_tokenization_spaces": false}
                """, StandardCharsets.UTF_8);
        return dir;
    }

    private static String added(int id, String content) {
        return "{\"id\": " + id + ", \"content\": \"" + content + "\", \"single_word\": false, \"lstrip\": false, "
                + "\"rstrip\": false, \"normalized\": false, \"special\": true}";
    }
}
