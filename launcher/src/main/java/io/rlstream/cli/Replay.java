package io.rlstream.cli;

import io.rlstream.config.ServiceOptions;
import io.rlstream.ops.TopicAdmin;
import io.rlstream.processors.config.ProcessorsConfig;
import io.rlstream.processors.config.RolloutsSource;
import io.rlstream.processors.grouping.GroupingApp;
import io.rlstream.processors.grouping.GroupingCounters;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rlstream replay}: runs the grouping app under a new application id over the rollouts and
 * rewards already recorded on the cluster, with whatever configuration is given, and writes that
 * configuration's batches, preference pairs and prompt stats under another topic prefix, so that
 * the live trainer never sees them. A new application id has no committed offsets, so Kafka
 * Streams starts from the earliest records; the replay stops once it has consumed everything
 * that was there and no batch came for the idle time.
 */
@Command(name = "replay", description = {"Run the processors again over the recorded rollouts and rewards under"
        + " another configuration (--set, --config); batches go to other topics, so the live trainer never sees them."
        + " Stops once everything recorded is read and no batch came for the idle time."},
        footer = "%nSettings: rlstream config processors (key, type, default, meaning).")
final class Replay implements Callable<Integer> {

    @Mixin
    HelpOption help;
    @Mixin
    ServiceOptions cluster;
    @Option(names = "--application-id", paramLabel = "ID", description = "A new id, so it reads from the earliest records.")
    String applicationId;
    @Option(names = "--output-prefix", paramLabel = "P", description = "Prefix of the topics it writes (not the live one),"
            + " e.g. replay-1.")
    String outputPrefix;
    @Option(names = "--idle-seconds", paramLabel = "S", description = "Stop after everything is read and no batch came for"
            + " S seconds (default 10).")
    double idleSeconds = 10;

    private final PrintStream out;

    Replay(Terminal terminal) {
        this.out = terminal.out();
    }

    @Override
    public Integer call() throws Exception {
        if (applicationId == null || outputPrefix == null) {
            throw new UsageException("replay needs --application-id ID (new, so it starts from the earliest "
                    + "records) and --output-prefix PREFIX (where its batches go, e.g. replay-1.)");
        }
        Map<String, String> settings = cluster.settings(ProcessorsConfig.DEFINITION);
        settings.put(ProcessorsConfig.APPLICATION_ID, applicationId);
        settings.put(ProcessorsConfig.OUTPUT_TOPIC_PREFIX, outputPrefix);
        ProcessorsConfig config = new ProcessorsConfig(settings);
        if (config.outputCatalog().prefix().equals(config.catalog().prefix())) {
            throw new UsageException("--output-prefix '" + outputPrefix + "' is the prefix of the live topics; "
                    + "a replay must write elsewhere or the trainer would train on its batches");
        }
        long idleMs = Math.round(idleSeconds * 1000);
        TopicCatalog inputs = config.catalog();
        TopicCatalog outputs = config.outputCatalog();

        try (Admin admin = Admin.create(new HashMap<>(config.clientProps()))) {
            String batches = inputs.name(Topic.TRAINING_BATCHES);
            short replication = (short) admin.describeTopics(List.of(batches)).allTopicNames().get(60, TimeUnit.SECONDS)
                    .get(batches).partitions().get(0).replicas().size();
            TopicAdmin.createTopics(admin, outputs, replication);
            // Only the topics the app reads: with grouping.rollouts.source = rewards it commits no
            // offsets on rl.rollouts, whose records would otherwise count as never read.
            List<Topic> read = RolloutsSource.from(config).inputs();
            Map<TopicPartition, Long> ends = endOffsets(admin, inputs, read);
            long records = ends.values().stream().mapToLong(Long::longValue).sum();
            out.printf("replay %s: %d records on %s -> %s%n", applicationId, records,
                    String.join(" and ", read.stream().map(inputs::name).toList()),
                    outputs.name(Topic.TRAINING_BATCHES));

            try (GroupingApp app = new GroupingApp(config)) {
                app.start();
                GroupingCounters counters = app.counters();
                long lastBatches = -1;
                long quietSince = System.currentTimeMillis();
                while (true) {
                    Thread.sleep(2_000);
                    long lag = lag(admin, applicationId, ends);
                    long batchCount = counters.get(GroupingCounters.BATCHES);
                    out.printf("replay %s: %d records left, %d groups closed, %d kept, %d batches%n", applicationId,
                            lag, counters.get(GroupingCounters.GROUPS_COMPLETED),
                            counters.get(GroupingCounters.GROUPS_KEPT), batchCount);
                    if (batchCount != lastBatches || lag > 0) {
                        lastBatches = batchCount;
                        quietSince = System.currentTimeMillis();
                    } else if (System.currentTimeMillis() - quietSince >= idleMs) {
                        break;
                    }
                }
                long kept = counters.get(GroupingCounters.GROUPS_KEPT);
                long inBatches = counters.get(GroupingCounters.BATCHES) * config.getInt(ProcessorsConfig.BATCH_GROUPS);
                out.printf("replay %s done: %d batches on %s; %d kept groups wait for a full batch%n", applicationId,
                        counters.get(GroupingCounters.BATCHES), outputs.name(Topic.TRAINING_BATCHES),
                        Math.max(0, kept - inBatches));
            }
        }
        return 0;
    }

    /** The latest offsets of the input topics now: the replay covers what was recorded when it started. */
    private static Map<TopicPartition, Long> endOffsets(Admin admin, TopicCatalog inputs, List<Topic> read)
            throws Exception {
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        for (Topic t : read) {
            String name = inputs.name(t);
            admin.describeTopics(List.of(name)).allTopicNames().get(60, TimeUnit.SECONDS).get(name).partitions()
                    .forEach(p -> specs.put(new TopicPartition(name, p.partition()), OffsetSpec.latest()));
        }
        Map<TopicPartition, Long> ends = new HashMap<>();
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e
                : admin.listOffsets(specs).all().get(60, TimeUnit.SECONDS).entrySet()) {
            ends.put(e.getKey(), e.getValue().offset());
        }
        return ends;
    }

    /** Records of the recorded range the replay's consumer group has not committed yet. */
    private static long lag(Admin admin, String applicationId, Map<TopicPartition, Long> ends) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
                .partitionsToOffsetAndMetadata().get(60, TimeUnit.SECONDS);
        long lag = 0;
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            // Transaction markers take offsets too, so a committed offset may pass the end seen at the start.
            lag += Math.max(0, e.getValue() - (c == null ? 0 : c.offset()));
        }
        return lag;
    }

}
