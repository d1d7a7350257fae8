package io.rlstream.reward.verify;

/**
 * A format reward (docs/algorithms.md#verifiers): {@code correct} when the response holds exactly one
 * well-formed tag pair, by default {@code <answer>…</answer>}, with non-blank content; else
 * {@code incorrect}, with a reason that says what was missing. DeepSeek-R1 ("DeepSeek-R1:
 * Incentivizing Reasoning Capability in LLMs via Reinforcement Learning", 2025, §2.2.2) trains with
 * such a format reward next to the accuracy reward, so that the answer can be found; TRL's
 * {@code trl.rewards.think_format_reward} checks {@code <think>…</think>} likewise.
 *
 * <p>Well-formed means: the open tag occurs exactly once, the close tag exactly once, the open
 * before the close, and something other than whitespace between them. Two answers
 * ({@code <answer>1</answer><answer>2</answer>}) or a nested one fail, so a policy cannot hedge
 * across several tags. Tags are matched literally and case-sensitively ({@code <ANSWER>} is not
 * {@code <answer>}); text outside the pair (reasoning before, a sign-off after) is allowed. The
 * content is reported as the extracted answer, so a downstream accuracy check can reuse it.
 *
 * <p>The reference is ignored: this verifier never fails for want of one. Scores default to 1 and
 * 0. Pure and thread-safe; one linear scan of the response.
 */
public final class FormatVerifier extends CorrectnessVerifier {

    public static final String NAME = "format";
    public static final String DEFAULT_OPEN_TAG = "<answer>";
    public static final String DEFAULT_CLOSE_TAG = "</answer>";
    private static final int MAX_EXTRACTED_CHARS = 200;

    private final String openTag;
    private final String closeTag;

    /** {@code <answer>…</answer>}, scoring 1 or 0. */
    public FormatVerifier() {
        this(DEFAULT_OPEN_TAG, DEFAULT_CLOSE_TAG, 1.0, 0.0);
    }

    /** {@code <answer>…</answer>}, with the given scores. */
    public FormatVerifier(double correct, double incorrect) {
        this(DEFAULT_OPEN_TAG, DEFAULT_CLOSE_TAG, correct, incorrect);
    }

    /** The given tags, scoring 1 or 0. */
    public FormatVerifier(String openTag, String closeTag) {
        this(openTag, closeTag, 1.0, 0.0);
    }

    /**
     * @throws IllegalArgumentException if a tag is null or blank, or the two tags are equal or one
     *                                  contains the other (the pair could not be told apart)
     */
    public FormatVerifier(String openTag, String closeTag, double correct, double incorrect) {
        super(NAME, correct, incorrect);
        if (openTag == null || openTag.isBlank() || closeTag == null || closeTag.isBlank()) {
            throw new IllegalArgumentException("format tags must be non-blank, got '" + openTag + "' and '"
                    + closeTag + "'; e.g. <answer> and </answer>");
        }
        if (openTag.contains(closeTag) || closeTag.contains(openTag)) {
            throw new IllegalArgumentException("format tags '" + openTag + "' and '" + closeTag
                    + "' overlap, so an open tag could be read as a close tag; use distinct tags");
        }
        this.openTag = openTag;
        this.closeTag = closeTag;
    }

    @Override
    public Verification verify(String response, String reference) {
        if (response == null || response.isBlank()) {
            return wrong("", "empty response");
        }
        int opens = count(response, openTag);
        int closes = count(response, closeTag);
        if (opens == 0) {
            return wrong("", "no " + openTag + " tag");
        }
        if (closes == 0) {
            return wrong("", openTag + " is never closed by " + closeTag);
        }
        if (opens > 1 || closes > 1) {
            return wrong("", opens + " " + openTag + " and " + closes + " " + closeTag
                    + " tags; expected exactly one pair");
        }
        int open = response.indexOf(openTag);
        int close = response.indexOf(closeTag);
        if (close < open) {
            return wrong("", closeTag + " comes before " + openTag);
        }
        String content = response.substring(open + openTag.length(), close).strip();
        if (content.isEmpty()) {
            return wrong("", "nothing between " + openTag + " and " + closeTag);
        }
        return judged(true, clip(content, MAX_EXTRACTED_CHARS), "one " + openTag + closeTag + " pair");
    }

    private static int count(String text, String tag) {
        int n = 0;
        for (int at = text.indexOf(tag); at >= 0; at = text.indexOf(tag, at + tag.length())) {
            n++;
        }
        return n;
    }
}
