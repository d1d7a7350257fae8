package io.rlstream.model.task;

/**
 * One task instance.
 *
 * @param id stable identifier, unique within the task
 * @param prompt the text the policy continues, e.g. {@code "37+48="}
 * @param answer the exact expected response text, e.g. {@code "85"}
 */
public record Problem(String id, String prompt, String answer) {}
