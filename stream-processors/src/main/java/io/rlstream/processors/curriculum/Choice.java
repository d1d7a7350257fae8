package io.rlstream.processors.curriculum;

import io.rlstream.events.Prompt;

/** A prompt chosen for dispatch, with what the selector knew of it when it chose it. */
public record Choice(Prompt prompt, PromptView view) {
}
