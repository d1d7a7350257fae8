package io.rlstream.processors.curriculum;

/**
 * What a selector knows of one prompt: the state `rlstream prompts top|show` shows. Fields a
 * selector does not keep are null (or 0 / -1 / "").
 *
 * @param groups                   completed groups learned from
 * @param estimate                 estimated pass rate (the latest group's mean reward, see PassRateEstimates), null while unseen
 * @param lastMeanReward           mean reward of the latest completed group, null while unseen
 * @param prediction               PCL: V(x) for the current policy, null for other selectors
 * @param predictionError          PCL: |V(x) at dispatch − observed mean reward| of the latest group, null when unknown
 * @param valueModelUpdates        PCL: online updates of the value model behind the prediction
 * @param valueModelPolicyVersion  PCL: the value model's version (newest policy version it learned from), -1 before any
 * @param pool                     where the selector files the prompt (unseen, in-window, a pool name, ...), or ""
 */
public record PromptView(long groups, Double estimate, Double lastMeanReward, Double prediction, Double predictionError,
        long valueModelUpdates, long valueModelPolicyVersion, String pool) {

    /** Nothing known. */
    public static final PromptView UNKNOWN = new PromptView(0, null, null, null, null, 0, -1, "");
}
