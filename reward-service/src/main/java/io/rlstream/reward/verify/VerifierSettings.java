package io.rlstream.reward.verify;

import io.rlstream.reward.sandbox.SandboxLimits;
import java.time.Duration;

/**
 * What the verifiers are built from: the two scores every one of them gives, and the settings only
 * some of them read. The reward service fills it from its configuration; tests and tools build it
 * directly, so this package does not depend on how the service is configured.
 *
 * @param correct         score of a correct response
 * @param incorrect       score of an incorrect response (e.g. -1 for ±1 rewards)
 * @param exactIgnoreCase whether {@code exact} ignores case
 * @param formatOpenTag   the opening tag {@code format} requires
 * @param formatCloseTag  the closing tag {@code format} requires
 * @param codeLimits      the sandbox limits of one run of {@code code-python}
 * @param modelUrl        the endpoint of {@code reward-model}; may be blank when another verifier is used
 * @param modelTimeout    the time limit of one request to the reward model
 * @param modelAttempts   attempts per response of the reward model
 * @param remote          the batched remote endpoint of {@code remote}
 */
public record VerifierSettings(double correct, double incorrect, boolean exactIgnoreCase, String formatOpenTag,
        String formatCloseTag, SandboxLimits codeLimits, String modelUrl, Duration modelTimeout, int modelAttempts,
        RemoteSettings remote) {

    /** The same without a remote endpoint. */
    public VerifierSettings(double correct, double incorrect, boolean exactIgnoreCase, String formatOpenTag,
            String formatCloseTag, SandboxLimits codeLimits, String modelUrl, Duration modelTimeout, int modelAttempts) {
        this(correct, incorrect, exactIgnoreCase, formatOpenTag, formatCloseTag, codeLimits, modelUrl, modelTimeout,
                modelAttempts, RemoteSettings.none());
    }

    /** Scores 1 and 0, case-sensitive exact match, {@code <answer>} tags, default sandbox, no reward model. */
    public static VerifierSettings defaults() {
        return new VerifierSettings(1.0, 0.0, false, FormatVerifier.DEFAULT_OPEN_TAG, FormatVerifier.DEFAULT_CLOSE_TAG,
                SandboxLimits.defaults(), "", Duration.ofSeconds(10), 3);
    }

    /** The same with other scores for correct and incorrect responses. */
    public VerifierSettings withScores(double correctScore, double incorrectScore) {
        return new VerifierSettings(correctScore, incorrectScore, exactIgnoreCase, formatOpenTag, formatCloseTag,
                codeLimits, modelUrl, modelTimeout, modelAttempts, remote);
    }

    /** The same with this remote endpoint. */
    public VerifierSettings withRemote(RemoteSettings remoteSettings) {
        return new VerifierSettings(correct, incorrect, exactIgnoreCase, formatOpenTag, formatCloseTag,
                codeLimits, modelUrl, modelTimeout, modelAttempts, remoteSettings);
    }

    /** The format component's check, with these tags (it scores 1 or 0 whatever the verifier's scores). */
    public FormatVerifier formatVerifier() {
        return new FormatVerifier(formatOpenTag, formatCloseTag);
    }
}
