package io.rlstream.processors.feedback;

import io.rlstream.events.Reward;
import io.rlstream.events.SampleStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a reward from user feedback (RLUF, arXiv 2505.14946; the reward service turns reactions on
 * rl.feedback into rewards with verifier {@value #FEEDBACK_VERIFIER} and one component
 * {@value #FEEDBACK_COMPONENT}) combines with the verifier's reward for the same rollout
 * (docs/algorithms.md#user-feedback). Before issue 15 the second reward of a rollout was dropped as
 * a duplicate, so feedback never reached training.
 *
 * <ul>
 *   <li>{@link Mode#ADD}: the reaction is a named component added to the verifier's reward,
 *       score = s_verifier + w·s_feedback; a failed verification stays failed (a reaction does not
 *       make an unknown correctness known).</li>
 *   <li>{@link Mode#REPLACE}: the reaction is the reward, score = s_feedback; the verifier's
 *       components stay on the reward for inspection.</li>
 * </ul>
 * Either way the merged reward keeps every component and names both sources
 * ({@code <verifier>+user-feedback}). The first reaction of a rollout counts; later ones are
 * duplicates. Without a verifier (a feedback-only deployment) the feedback reward is the reward.
 *
 * @param mode   add or replace
 * @param weight w of {@link Mode#ADD}
 * @param waitMs how long a group whose samples all have rewards stays open for feedback (measured
 *               from its first record, like the group timeout); 0 closes it at once
 */
public record FeedbackMerge(Mode mode, double weight, long waitMs) {

    /** Verifier name of rewards that come from user feedback (reward-service's RewardTopology.FEEDBACK_VERIFIER). */
    public static final String FEEDBACK_VERIFIER = "user-feedback";
    /** Component of rewards that come from user feedback (reward-service's RewardTopology.FEEDBACK_COMPONENT). */
    public static final String FEEDBACK_COMPONENT = "feedback";

    /** How feedback combines with the verifier's reward. */
    public enum Mode {
        /** score = verifier + weight · feedback. */
        ADD,
        /** score = feedback. */
        REPLACE
    }

    public FeedbackMerge {
        if (mode == null) {
            throw new IllegalArgumentException("a feedback mode is required (add or replace)");
        }
        if (!Double.isFinite(weight)) {
            throw new IllegalArgumentException("feedback weight must be finite, got " + weight);
        }
        if (waitMs < 0) {
            throw new IllegalArgumentException("feedback wait must be >= 0 ms, got " + waitMs);
        }
    }

    /** Feedback added with weight 1, groups not held open for it. */
    public static FeedbackMerge defaults() {
        return new FeedbackMerge(Mode.ADD, 1.0, 0);
    }

    public static boolean fromFeedback(Reward r) {
        return FEEDBACK_VERIFIER.equals(r.getVerifier());
    }

    public static boolean hasFeedback(Reward r) {
        return r.getComponents().containsKey(FEEDBACK_COMPONENT);
    }

    /**
     * The reward of a rollout that already has {@code existing} when {@code incoming} arrives: the
     * two merged when one is the verifier's and the other the first feedback, or null when
     * {@code incoming} is a duplicate (a second verifier reward, or a second reaction).
     */
    public Reward merge(Reward existing, Reward incoming) {
        if (fromFeedback(incoming) && !hasFeedback(existing)) {
            return combine(existing, incoming);
        }
        if (!fromFeedback(incoming) && fromFeedback(existing)) {
            return combine(incoming, existing);
        }
        return null;
    }

    private Reward combine(Reward verified, Reward feedback) {
        double value = feedback.getScore();
        Map<String, Double> components = new LinkedHashMap<>(verified.getComponents());
        components.put(FEEDBACK_COMPONENT, value);
        Reward.Builder out = Reward.newBuilder(verified)
                .setComponents(components)
                .setVerifier(verified.getVerifier() + "+" + FEEDBACK_VERIFIER)
                .setReason(join(verified.getReason(), feedback.getReason()));
        if (mode == Mode.REPLACE) {
            return out.setStatus(SampleStatus.OK).setScore(value).build();
        }
        if (verified.getStatus() != SampleStatus.OK) {
            return out.build();
        }
        return out.setScore(verified.getScore() + weight * value).build();
    }

    private static String join(String a, String b) {
        if (a == null || a.isEmpty()) {
            return b;
        }
        return b == null || b.isEmpty() ? a : a + "; " + b;
    }
}
