package com.example.rewards;

import io.rlstream.reward.verify.Verification;
import io.rlstream.reward.verify.Verifier;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Partial credit for required keywords: the reference answer is a comma-separated list of
 * keywords (e.g. {@code photosynthesis, chlorophyll, light}); the score is
 * {@code incorrect + (correct − incorrect) · found / total}, where a keyword is found when it occurs
 * in the response as whole words, ignoring case. A reference with no keyword cannot be judged: a
 * failed check (the reward service writes a FAILED reward), never a zero.
 */
public final class KeywordsVerifier implements Verifier {

    public static final String NAME = "keywords";

    private final double correct;
    private final double incorrect;

    public KeywordsVerifier(double correct, double incorrect) {
        this.correct = correct;
        this.incorrect = incorrect;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Verification verify(String response, String reference) {
        List<String> keywords = new ArrayList<>();
        for (String k : (reference == null ? "" : reference).split(",")) {
            if (!k.isBlank()) {
                keywords.add(k.strip());
            }
        }
        if (keywords.isEmpty()) {
            return Verification.failed("the reference has no keywords (expected e.g. 'light, water')");
        }
        String text = normalise(response == null ? "" : response);
        List<String> found = new ArrayList<>();
        for (String k : keywords) {
            Pattern whole = Pattern.compile("(?<![\\p{L}\\p{N}])" + Pattern.quote(normalise(k)) + "(?![\\p{L}\\p{N}])");
            if (whole.matcher(text).find()) {
                found.add(k);
            }
        }
        double score = incorrect + (correct - incorrect) * found.size() / keywords.size();
        return Verification.scored(score, String.join(", ", found),
                found.size() + " of " + keywords.size() + " keywords");
    }

    private static String normalise(String s) {
        return Normalizer.normalize(s, Normalizer.Form.NFC).toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
    }
}
