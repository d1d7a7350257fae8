package io.rlstream.ops.security;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The rlstream services that connect to Kafka, each under its own principal
 * ({@code User:rlstream-worker} by default), so that each gets only the ACLs of its own job
 * ({@link AclSet}).
 */
public enum RlstreamService {
    PROMPTS("the prompt producer (rlstream prompts): JSONL -> rl.prompts"),
    DISPATCHER("the dispatcher: prompts -> rl.prompt-dispatch, its state and selection topics, the selection query app"),
    WORKER("a rollout worker: rl.prompt-dispatch -> rl.rollouts, transactionally"),
    REWARDS("the reward service (Kafka Streams): rl.rollouts, rl.feedback -> rl.rewards"),
    PROCESSORS("the grouping and step-summary apps (Kafka Streams): rollouts + rewards -> batches, pairs, stats"),
    TRAINER("the trainer: rl.training-batches -> rl.checkpoints"),
    DASHBOARD("the dashboard: reads only"),
    CONNECT("rlstream connect: the lake sinks (Kafka Connect)");

    private final String job;

    RlstreamService(String job) {
        this.job = job;
    }

    /** The name used on the command line and in principals: {@code worker}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String job() {
        return job;
    }

    /** The principal the service runs as unless told otherwise: {@code User:rlstream-worker}. */
    public String defaultPrincipal() {
        return "User:rlstream-" + id();
    }

    /** The service a command-line name spells ({@code worker}), or a message listing the names. */
    public static RlstreamService parse(String id) {
        for (RlstreamService s : values()) {
            if (s.id().equals(id.trim().toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown service '" + id + "'; the services are "
                + Arrays.stream(values()).map(RlstreamService::id).collect(Collectors.joining(", ")));
    }
}
