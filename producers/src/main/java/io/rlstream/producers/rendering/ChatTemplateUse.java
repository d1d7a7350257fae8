package io.rlstream.producers.rendering;

/**
 * When the worker renders a prompt with the model's chat template (worker setting
 * {@code generate.chat-template}).
 */
public enum ChatTemplateUse {

    /** Prompts with chat messages through the template; plain text prompts as they are. */
    AUTO,

    /**
     * Every prompt through the template: a plain text prompt becomes one user message, as chat
     * models expect (e.g. an instruct model given a dataset that has only texts).
     */
    ALWAYS,

    /**
     * No prompt through the template: a prompt with messages is given as its plain text (Prompt.text),
     * for a base model that has no chat template.
     */
    NEVER
}
