package io.rlstream.ops.security;

import io.rlstream.config.ServiceConfig;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The least-privilege ACLs of every rlstream service: which topics it reads and writes, which
 * consumer groups it joins, which transactional ids it uses, and nothing else (issue 21).
 *
 * <p>The names come from the same settings the services read, under the same keys and with the
 * same defaults ({@link #DEFINITION}; a test in each service's module keeps the defaults equal):
 * topic names from {@code topic.prefix} through the {@link TopicCatalog}, Kafka Streams
 * application ids from {@code reward.application.id}, {@code processors.application.id},
 * {@code summary.application.id} and {@code dispatch.query.application.id}, the workers' group
 * from {@code worker.group.id}. So {@code rlstream acls --config pipeline.properties} grants what
 * the services started with that file use.
 *
 * <p>What each kind of client needs (Kafka's authorization docs, "Operations and resources"):
 * a consumer READ on its topics (READ implies DESCRIBE) and READ on its group when it has one;
 * a producer WRITE on its topics (WRITE on a topic also allows idempotent produce, KIP-679); a
 * transactional producer WRITE on its transactional id and READ on the group whose offsets it
 * commits. A Kafka Streams app with exactly-once v2 needs all of those plus every operation on
 * the topics prefixed with its application id (its changelog and repartition topics, which it
 * creates), READ on the group named by its application id, and WRITE on the transactional ids
 * prefixed with it ({@code <application.id>-<process id>-<thread>}).
 */
public final class AclSet {

    public static final String REWARD_APPLICATION_ID = "reward.application.id";
    public static final String PROCESSORS_APPLICATION_ID = "processors.application.id";
    public static final String SUMMARY_APPLICATION_ID = "summary.application.id";
    public static final String QUERY_APPLICATION_ID = "dispatch.query.application.id";
    public static final String WORKER_GROUP_ID = "worker.group.id";
    public static final String WORKER_ID_PREFIX = "acls.worker.id.prefix";
    public static final String OUTPUT_TOPIC_PREFIX = "processors.output.topic-prefix";

    /** The transactional id of a worker is this + its worker.id (RolloutWorker). */
    public static final String WORKER_TRANSACTIONAL_ID_PREFIX = "rlstream-";
    /** Each dashboard joins its own group, this + a random UUID (DashboardFeed). */
    public static final String DASHBOARD_GROUP_PREFIX = "rlstream-dashboard-";
    /** rlstream connect's connector names (LakeConnectors.ICEBERG, LakeConnectors.JSONL) start with this. */
    public static final String CONNECTOR_PREFIX = "rlstream-";
    /** Kafka Connect names a sink connector's consumer group connect-NAME (LakeConnectors.group). */
    public static final String CONNECT_GROUP_PREFIX = "connect-" + CONNECTOR_PREFIX;
    /** The Iceberg sink's control topic and the sinks' dead-letter topic (LakeConnectors). */
    public static final String ICEBERG_CONTROL_TOPIC = "rl.iceberg-control";
    public static final String CONNECT_DEAD_LETTER_TOPIC = "rl.dead-letters.connect";
    /** Consumer groups the Iceberg sink's commit coordinator reads its control topic with (iceberg.control.group-id-prefix). */
    public static final String ICEBERG_CONTROL_GROUP_PREFIX = "cg-control";
    /** Topics rlstream connect sinks by default (ConnectCommand.DEFAULT_TOPICS). */
    public static final List<Topic> CONNECT_TOPICS = List.of(Topic.ROLLOUTS, Topic.REWARDS, Topic.TRAINING_BATCHES,
            Topic.METRICS);

    /** The settings the names come from: the services' own keys and defaults, plus the worker id prefix. */
    public static final ConfigDef DEFINITION = ServiceConfig.baseDef()
            .define(REWARD_APPLICATION_ID, Type.STRING, "rlstream-rewards", new ConfigDef.NonEmptyString(),
                    Importance.LOW, "Kafka Streams application id of the reward service (as the reward service reads it).")
            .define(PROCESSORS_APPLICATION_ID, Type.STRING, "rlstream-processors", new ConfigDef.NonEmptyString(),
                    Importance.LOW, "Kafka Streams application id of the grouping app (as the processors read it).")
            .define(SUMMARY_APPLICATION_ID, Type.STRING, "rlstream-step-summary", new ConfigDef.NonEmptyString(),
                    Importance.LOW, "Kafka Streams application id of the step-summary app (as the processors read it).")
            .define(QUERY_APPLICATION_ID, Type.STRING, "rlstream-dispatcher-query", new ConfigDef.NonEmptyString(),
                    Importance.LOW, "Kafka Streams application id of the dispatcher's selection query app.")
            .define(OUTPUT_TOPIC_PREFIX, Type.STRING, null, Importance.LOW,
                    "Prefix of the topics the grouping and step-summary apps write (as the processors read it); "
                            + "unset means topic.prefix.")
            .define(WORKER_GROUP_ID, Type.STRING, "rlstream-rollout-workers", new ConfigDef.NonEmptyString(),
                    Importance.LOW, "Consumer group of the rollout workers (as the workers read it).")
            .define(WORKER_ID_PREFIX, Type.STRING, "worker-", new ConfigDef.NonEmptyString(), Importance.LOW,
                    "What every worker.id starts with: a worker's transactional id is rlstream-<worker.id>, so the "
                            + "workers may use the transactional ids prefixed rlstream-<this>.");

    private final Map<RlstreamService, ServiceAcls> byService;

    private AclSet(Map<RlstreamService, ServiceAcls> byService) {
        this.byService = byService;
    }

    /** One service's principal and its ACLs, in the order they were granted. */
    public record ServiceAcls(RlstreamService service, String principal, List<AclBinding> bindings) {
    }

    /**
     * The ACLs of every service for these settings ({@link #DEFINITION}'s keys), each under the
     * principal given for it or its {@link RlstreamService#defaultPrincipal()}.
     */
    public static AclSet of(Map<String, ?> settings, Map<RlstreamService, String> principals) {
        ServiceConfig config = new ServiceConfig(DEFINITION, settings);
        TopicCatalog catalog = config.catalog();
        Map<RlstreamService, ServiceAcls> all = new EnumMap<>(RlstreamService.class);
        for (RlstreamService service : RlstreamService.values()) {
            String principal = principals.getOrDefault(service, service.defaultPrincipal());
            if (!principal.contains(":")) {
                throw new IllegalArgumentException("principal '" + principal + "' of " + service.id()
                        + " has no type; write it as Kafka does, e.g. User:" + principal);
            }
            Grants g = new Grants(principal, catalog);
            switch (service) {
                case PROMPTS -> g.writes(Topic.PROMPTS);
                case DISPATCHER -> {
                    // It reads back its own output and state at start (catch-up), so it reads what it writes.
                    g.reads(Topic.PROMPTS, Topic.CHECKPOINTS, Topic.PROMPT_STATS, Topic.TRAINING_BATCHES,
                            Topic.PROMPT_DISPATCH, Topic.PROMPT_SELECTION, Topic.DISPATCHER_STATE);
                    g.writes(Topic.PROMPT_DISPATCH, Topic.PROMPT_SELECTION, Topic.DISPATCHER_STATE, Topic.DEAD_LETTERS,
                            Topic.METRICS);
                    g.streamsApp(config.getString(QUERY_APPLICATION_ID));
                }
                case WORKER -> {
                    g.reads(Topic.PROMPT_DISPATCH, Topic.CHECKPOINTS);
                    g.writes(Topic.ROLLOUTS, Topic.DEAD_LETTERS, Topic.METRICS);
                    g.group(config.getString(WORKER_GROUP_ID), PatternType.LITERAL);
                    g.transactionalIds(WORKER_TRANSACTIONAL_ID_PREFIX + config.getString(WORKER_ID_PREFIX));
                }
                case REWARDS -> {
                    g.reads(Topic.ROLLOUTS, Topic.FEEDBACK, Topic.PROMPTS);
                    g.writes(Topic.REWARDS, Topic.DEAD_LETTERS, Topic.METRICS);
                    g.streamsApp(config.getString(REWARD_APPLICATION_ID));
                }
                case PROCESSORS -> {
                    // Like ProcessorsConfig.outputCatalog(): outputs (and the step summary's input) under the output prefix.
                    String outputPrefix = config.getString(OUTPUT_TOPIC_PREFIX);
                    Grants out = outputPrefix == null ? g
                            : g.under(new TopicCatalog(outputPrefix, catalog.groupPartitions()));
                    g.reads(Topic.ROLLOUTS, Topic.REWARDS, Topic.CHECKPOINTS);
                    out.reads(Topic.METRICS);
                    out.writes(Topic.TRAINING_BATCHES, Topic.PREFERENCE_PAIRS, Topic.PROMPT_STATS, Topic.STEP_SUMMARY,
                            Topic.DEAD_LETTERS, Topic.METRICS);
                    g.streamsApp(config.getString(PROCESSORS_APPLICATION_ID));
                    g.streamsApp(config.getString(SUMMARY_APPLICATION_ID));
                }
                case TRAINER -> {
                    // The input topic depends on trainer.mode: batches (rl, group), pairs (preference), prompts (sft);
                    // rl.rollouts for batches and pairs written by reference (processors batch.tokens=reference).
                    g.reads(Topic.TRAINING_BATCHES, Topic.PREFERENCE_PAIRS, Topic.PROMPTS, Topic.ROLLOUTS);
                    g.writes(Topic.CHECKPOINTS, Topic.DEAD_LETTERS, Topic.METRICS);
                }
                case DASHBOARD -> {
                    g.reads(Topic.PROMPT_DISPATCH, Topic.ROLLOUTS, Topic.REWARDS, Topic.TRAINING_BATCHES,
                            Topic.CHECKPOINTS, Topic.METRICS, Topic.STEP_SUMMARY);
                    g.group(DASHBOARD_GROUP_PREFIX, PatternType.PREFIXED);
                }
                case CONNECT -> {
                    g.reads(CONNECT_TOPICS.toArray(Topic[]::new));
                    g.group(CONNECT_GROUP_PREFIX, PatternType.PREFIXED);
                    g.topic(CONNECT_DEAD_LETTER_TOPIC, AclOperation.WRITE);
                    g.topic(ICEBERG_CONTROL_TOPIC, AclOperation.READ);
                    g.topic(ICEBERG_CONTROL_TOPIC, AclOperation.WRITE);
                    // rlstream connect creates both at start when missing (they are not catalog topics):
                    // without CREATE it stops there (ConnectAclsIT found it).
                    g.topic(CONNECT_DEAD_LETTER_TOPIC, AclOperation.CREATE);
                    g.topic(ICEBERG_CONTROL_TOPIC, AclOperation.CREATE);
                    g.group(ICEBERG_CONTROL_GROUP_PREFIX, PatternType.PREFIXED);
                    g.transactionalIds(CONNECTOR_PREFIX);
                }
                default -> throw new IllegalStateException("no ACLs defined for " + service);
            }
            all.put(service, new ServiceAcls(service, principal, List.copyOf(g.bindings)));
        }
        return new AclSet(all);
    }

    /** The set for the default settings and principals. */
    public static AclSet defaults() {
        return of(Map.of(), Map.of());
    }

    public ServiceAcls service(RlstreamService service) {
        return byService.get(service);
    }

    public List<ServiceAcls> services() {
        return List.copyOf(byService.values());
    }

    /** Every binding of every service. */
    public List<AclBinding> bindings() {
        List<AclBinding> out = new ArrayList<>();
        byService.values().forEach(s -> out.addAll(s.bindings()));
        return out;
    }

    /** Collects one principal's bindings, without duplicates, in grant order. */
    private static final class Grants {
        private final String principal;
        private final TopicCatalog catalog;
        private final Set<AclBinding> bindings;

        Grants(String principal, TopicCatalog catalog) {
            this(principal, catalog, new LinkedHashSet<>());
        }

        private Grants(String principal, TopicCatalog catalog, Set<AclBinding> bindings) {
            this.principal = principal;
            this.catalog = catalog;
            this.bindings = bindings;
        }

        /** The same principal's grants, with topic names from another catalog. */
        Grants under(TopicCatalog other) {
            return new Grants(principal, other, bindings);
        }

        void reads(Topic... topics) {
            for (Topic t : topics) {
                topic(catalog.name(t), AclOperation.READ);
            }
        }

        void writes(Topic... topics) {
            for (Topic t : topics) {
                topic(catalog.name(t), AclOperation.WRITE);
            }
        }

        void topic(String name, AclOperation op) {
            add(ResourceType.TOPIC, name, PatternType.LITERAL, op);
        }

        void group(String name, PatternType pattern) {
            add(ResourceType.GROUP, name, pattern, AclOperation.READ);
        }

        void transactionalIds(String prefix) {
            add(ResourceType.TRANSACTIONAL_ID, prefix, PatternType.PREFIXED, AclOperation.WRITE);
        }

        /** A Kafka Streams app with exactly-once v2 under this application id. */
        void streamsApp(String applicationId) {
            add(ResourceType.TOPIC, applicationId + "-", PatternType.PREFIXED, AclOperation.ALL);
            group(applicationId, PatternType.LITERAL);
            transactionalIds(applicationId + "-");
        }

        private void add(ResourceType type, String name, PatternType pattern, AclOperation op) {
            bindings.add(new AclBinding(new ResourcePattern(type, name, pattern),
                    new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)));
        }
    }
}
