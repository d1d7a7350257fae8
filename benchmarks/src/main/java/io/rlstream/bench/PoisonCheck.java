package io.rlstream.bench;

import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.DeadLetter;
import io.rlstream.events.PromptDispatch;
import io.rlstream.events.Reward;
import io.rlstream.events.Rollout;
import io.rlstream.model.Policy;
import io.rlstream.monitoring.health.Health;
import io.rlstream.ops.poison.BadRecords;
import io.rlstream.ops.poison.BadRecords.BadRecord;
import io.rlstream.producers.rollouts.CheckpointCheck;
import io.rlstream.schemas.RegistrySerdes;
import io.rlstream.schemas.SerdeFactory;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.trainer.checkpoint.CheckpointStore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Issue 19's bad-record check against a running loop: sends the {@link BadRecords} corpus to every
 * input topic, then one good record per topic, and checks each service's answer. A bad record is
 * handled when every service that must answer it put a dead letter with a reason on
 * rl.dead-letters naming its topic, partition and offset; the run passes when all are handled,
 * every service is healthy afterwards, the newest checkpoint holds finite weights, and the good
 * records sent after the bad ones were processed.
 */
final class PoisonCheck {

    /** A service's health as /health (or its in-process check) tells it. */
    record Probe(String name, Health.Check check) {
    }

    /** What the check needs: where the loop runs and what to ask. */
    record Settings(String bootstrap, String registryUrl, TopicCatalog catalog, Map<String, Object> clientConfig,
            List<Probe> probes, Path checkpointDir, Duration patience, List<Topic> topics) {
    }

    /** One bad record sent and what came back. */
    record Row(BadRecord record, int partition, long offset, Map<String, String> answers) {
        boolean handled() {
            return answers.keySet().containsAll(record.services())
                    && answers.values().stream().noneMatch(String::isBlank);
        }
    }

    /** A good record sent after a topic's bad ones, and whether it was processed. */
    record Good(Topic topic, int partition, long offset, String how, boolean processed) {
    }

    /** Everything the run saw. */
    record Result(List<Row> rows, List<Good> goods, Map<String, Health> health, String weights, boolean weightsOk) {
        long handled() {
            return rows.stream().filter(Row::handled).count();
        }

        boolean passed() {
            return handled() == rows.size() && goods.stream().allMatch(Good::processed)
                    && health.values().stream().allMatch(Health::alive) && weightsOk;
        }
    }

    private final Settings settings;
    private final PrintStream out;

    PoisonCheck(Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    Result run() throws Exception {
        TopicCatalog catalog = settings.catalog();
        SerdeFactory serdes = new RegistrySerdes(settings.registryUrl(), Map.of());
        String checkpointUri = newestCheckpoint().map(p -> p.toUri().toString()).orElse(null);
        List<Topic> outputs = List.of(Topic.DEAD_LETTERS, Topic.PROMPT_DISPATCH, Topic.ROLLOUTS, Topic.REWARDS,
                Topic.CHECKPOINTS);
        Map<TopicPartition, Long> from = endOffsets(outputs);
        List<Row> rows = new ArrayList<>();
        List<Good> sentGood = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = producer()) {
            // the prompt the good rollouts, dispatches and feedback name, so the reward service knows it
            send(producer, catalog.name(Topic.PROMPTS), "p-poison",
                    BadRecords.serialize(serdes, catalog.name(Topic.PROMPTS), BadRecords.prompt("p-poison")));
            for (Topic topic : settings.topics()) {
                String name = catalog.name(topic);
                List<BadRecord> corpus = new ArrayList<>(BadRecords.generic(serdes, name, topic));
                corpus.addAll(BadRecords.domain(serdes, name, topic, checkpointUri));
                for (BadRecord bad : corpus) {
                    RecordMetadata m = send(producer, name, bad.key(), bad.value());
                    rows.add(new Row(bad, m.partition(), m.offset(), new LinkedHashMap<>()));
                }
            }
            for (Topic topic : settings.topics()) {
                SpecificRecord good = BadRecords.good(topic);
                if (good == null) {
                    continue;
                }
                String name = catalog.name(topic);
                RecordMetadata m = send(producer, name, BadRecords.goodKey(topic),
                        BadRecords.serialize(serdes, name, good));
                sentGood.add(new Good(topic, m.partition(), m.offset(), "", false));
            }
        }
        out.printf("poison: sent %d bad records to %d topics, then one good record to each; waiting up to %d s for"
                + " the answers%n", rows.size(), settings.topics().size(), settings.patience().toSeconds());

        Map<String, Row> byPosition = new HashMap<>();
        rows.forEach(r -> byPosition.put(position(catalog.name(r.record().topic()), r.partition(), r.offset()), r));
        Set<String> outputsSeen = new TreeSet<>();
        Map<String, Double> answeredAt = new HashMap<>();
        long sent = System.nanoTime();
        long deadline = sent + settings.patience().toNanos();
        List<Good> goods = sentGood;
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            consumer.assign(from.keySet());
            from.forEach(consumer::seek);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    read(serdes, r, byPosition, outputsSeen);
                }
                goods = goodsProcessed(sentGood, outputsSeen);
                double at = (System.nanoTime() - sent) / 1e9;
                rows.stream().filter(Row::handled).forEach(r -> answeredAt.putIfAbsent(
                        catalog.name(r.record().topic()) + " " + r.record().kind(), at));
                goods.stream().filter(Good::processed).forEach(g -> answeredAt.putIfAbsent(
                        "good record on " + catalog.name(g.topic()), at));
                if (rows.stream().allMatch(Row::handled) && goods.stream().allMatch(Good::processed)) {
                    break;
                }
            }
        }
        out.printf("poison: answers read for %.1f s%s%n", (System.nanoTime() - sent) / 1e9, answeredAt.entrySet()
                .stream().max(Map.Entry.comparingByValue())
                .map(e -> String.format("; the last to come: %s after %.1f s", e.getKey(), e.getValue())).orElse(""));
        Map<String, Health> health = new LinkedHashMap<>();
        for (Probe p : settings.probes()) {
            Health h;
            try {
                h = p.check().health();
            } catch (RuntimeException e) {
                h = Health.dead("no answer: " + e.getMessage());
            }
            health.put(p.name(), h);
        }
        String weights;
        boolean weightsOk;
        Optional<Path> newest = newestCheckpoint();
        if (settings.checkpointDir() == null) {
            weights = "not checked (no --checkpoint-dir)";
            weightsOk = true;
        } else if (newest.isEmpty()) {
            weights = "no checkpoint under " + settings.checkpointDir();
            weightsOk = false;
        } else {
            try (Policy policy = Policy.load(newest.get())) {
                String bad = CheckpointCheck.nonFinite(policy);
                weightsOk = bad == null;
                weights = newest.get().getFileName() + (bad == null ? ": every weight finite"
                        : ": non-finite weight in " + bad);
            }
        }
        return new Result(rows, goods, health, weights, weightsOk);
    }

    /** Notes a dead letter's answer on its row, and the outputs that prove a good record was processed. */
    private void read(SerdeFactory serdes, ConsumerRecord<byte[], byte[]> r, Map<String, Row> byPosition,
            Set<String> seen) {
        TopicCatalog catalog = settings.catalog();
        try {
            if (r.topic().equals(catalog.name(Topic.DEAD_LETTERS))) {
                DeadLetter d = decode(serdes, DeadLetter.class, r);
                Row row = byPosition.get(position(d.getSourceTopic(), d.getSourcePartition(), d.getSourceOffset()));
                if (row != null) {
                    row.answers().merge(d.getService(), d.getError(), (a, b) -> a);
                }
            } else if (r.topic().equals(catalog.name(Topic.PROMPT_DISPATCH))) {
                seen.add("dispatch:" + decode(serdes, PromptDispatch.class, r).getPromptId());
            } else if (r.topic().equals(catalog.name(Topic.ROLLOUTS))) {
                seen.add("rollout:" + decode(serdes, Rollout.class, r).getGroupId());
            } else if (r.topic().equals(catalog.name(Topic.REWARDS))) {
                seen.add("reward:" + decode(serdes, Reward.class, r).getRolloutId());
            } else if (r.topic().equals(catalog.name(Topic.CHECKPOINTS))) {
                decode(serdes, CheckpointPublished.class, r).getBatchIds().forEach(b -> seen.add("checkpoint:" + b));
            }
        } catch (RuntimeException notOurs) {
            // the corpus itself (on rl.prompt-dispatch, rl.rollouts, ...) or another writer's record
        }
    }

    private static <T extends SpecificRecord> T decode(SerdeFactory serdes, Class<T> type,
            ConsumerRecord<byte[], byte[]> r) {
        T value = serdes.serde(type).deserializer().deserialize(r.topic(), r.value());
        if (!type.isInstance(value)) {
            throw new IllegalArgumentException("not a " + type.getSimpleName());
        }
        return value;
    }

    /**
     * Whether each good record was processed: the output its reader makes (a dispatch of the good
     * prompt, rollouts of the good dispatch, a reward of the good rollout, a checkpoint that trained
     * the good batch), and every active consumer group that reads its partition committed past it.
     */
    private List<Good> goodsProcessed(List<Good> sent, Set<String> seen) {
        Map<TopicPartition, Map<String, Long>> committed = committedOffsets();
        List<Good> out = new ArrayList<>();
        for (Good g : sent) {
            List<String> how = new ArrayList<>();
            boolean ok = true;
            String output = switch (g.topic()) {
                case PROMPTS -> "dispatch:" + BadRecords.goodKey(Topic.PROMPTS);
                case PROMPT_DISPATCH -> "rollout:" + BadRecords.goodKey(Topic.PROMPT_DISPATCH);
                case ROLLOUTS -> "reward:" + BadRecords.goodKey(Topic.ROLLOUTS) + "/0";
                case TRAINING_BATCHES -> "checkpoint:" + BadRecords.goodKey(Topic.TRAINING_BATCHES);
                default -> null;
            };
            if (output != null) {
                boolean made = seen.contains(output);
                ok &= made;
                how.add(outputName(g.topic()) + (made ? "" : " missing"));
            }
            Map<String, Long> groups = committed.getOrDefault(
                    new TopicPartition(settings.catalog().name(g.topic()), g.partition()), Map.of());
            for (Map.Entry<String, Long> e : groups.entrySet()) {
                boolean past = e.getValue() > g.offset();
                ok &= past;
                how.add(e.getKey() + (past ? " committed past it" : " at " + e.getValue()));
            }
            if (how.isEmpty()) {
                how.add("no output or committing reader to check; health only");
            }
            out.add(new Good(g.topic(), g.partition(), g.offset(), String.join(", ", how), ok));
        }
        return out;
    }

    private static String outputName(Topic topic) {
        return switch (topic) {
            case PROMPTS -> "dispatched";
            case PROMPT_DISPATCH -> "generated";
            case ROLLOUTS -> "scored";
            case TRAINING_BATCHES -> "trained";
            default -> "";
        };
    }

    /** Committed offsets of the active consumer groups (with members), per partition and group. */
    private Map<TopicPartition, Map<String, Long>> committedOffsets() {
        Map<TopicPartition, Map<String, Long>> out = new HashMap<>();
        try (Admin admin = Admin.create(settings.clientConfig())) {
            Collection<ConsumerGroupListing> listings = admin.listConsumerGroups().all().get();
            List<String> ids = listings.stream().map(ConsumerGroupListing::groupId).toList();
            if (ids.isEmpty()) {
                return out;
            }
            Map<String, ConsumerGroupDescription> described = admin.describeConsumerGroups(ids).all().get();
            for (String id : ids) {
                ConsumerGroupDescription d = described.get(id);
                if (d == null || d.members().isEmpty() || d.groupState() == GroupState.DEAD) {
                    continue;
                }
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(id)
                        .partitionsToOffsetAndMetadata().get();
                offsets.forEach((tp, om) -> {
                    if (om != null) {
                        out.computeIfAbsent(tp, k -> new LinkedHashMap<>()).put(id, om.offset());
                    }
                });
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the consumer groups' offsets: " + e, e);
        }
        return out;
    }

    private Optional<Path> newestCheckpoint() {
        return settings.checkpointDir() == null ? Optional.empty()
                : new CheckpointStore(settings.checkpointDir()).latest();
    }

    private Map<TopicPartition, Long> endOffsets(List<Topic> topics) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (Topic t : topics) {
                consumer.partitionsFor(settings.catalog().name(t))
                        .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
            return consumer.endOffsets(partitions);
        }
    }

    private static String position(String topic, int partition, long offset) {
        return topic + "-" + partition + "@" + offset;
    }

    private static RecordMetadata send(KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value)
            throws Exception {
        return producer.send(new ProducerRecord<>(topic, key, value)).get();
    }

    private KafkaProducer<String, byte[]> producer() {
        Map<String, Object> props = new HashMap<>(settings.clientConfig());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Map<String, Object> props = new HashMap<>(settings.clientConfig());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topic.MAX_MESSAGE_BYTES);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** The table: one line per bad record, then the good records, the health and the weights. */
    void print(Result result) {
        out.printf("%-20s %-28s %-9s %-10s %s%n", "topic", "record", "offset", "handled", "answers (service: reason)");
        for (Row row : result.rows()) {
            String answers = row.answers().isEmpty() ? (row.record().services().isEmpty() ? "none expected" : "none")
                    : row.answers().entrySet().stream().map(e -> e.getKey() + ": " + shorten(e.getValue()))
                            .collect(Collectors.joining("; "));
            Set<String> missing = new TreeSet<>(row.record().services());
            missing.removeAll(row.answers().keySet());
            out.printf("%-20s %-28s %-9s %-10s %s%s%n", settings.catalog().name(row.record().topic()),
                    row.record().kind(), row.partition() + "@" + row.offset(), row.handled() ? "handled" : "NOT",
                    answers, missing.isEmpty() ? "" : " [no dead letter from " + String.join(", ", missing) + "]");
        }
        printGrid(result);
        for (Good g : result.goods()) {
            out.printf("good record on %s (%d@%d): %s: %s%n", settings.catalog().name(g.topic()), g.partition(),
                    g.offset(), g.processed() ? "processed" : "NOT processed", g.how());
        }
        result.health().forEach((name, h) -> out.printf("health of %s: %s%n", name,
                h.alive() ? "alive (" + h.reason() + ")" : "DEAD: " + h.reason()));
        out.println("weights: " + result.weights());
        long handled = result.handled();
        out.printf("poison: %d of %d bad records handled (%.0f%%); %s%n", handled, result.rows().size(),
                100.0 * handled / Math.max(1, result.rows().size()), result.passed() ? "PASS" : "FAIL");
    }

    /** The generic kinds by topic: ok (every reader answered), NOT, or - (legal there, nothing expected). */
    private void printGrid(Result result) {
        List<Topic> topics = result.rows().stream().map(r -> r.record().topic()).distinct().toList();
        StringBuilder header = new StringBuilder(String.format("%-28s", "record \\ topic"));
        topics.forEach(t -> header.append(String.format(" %-17s", t.suffix())));
        out.println(header.toString().stripTrailing());
        List<String> kinds = result.rows().stream().map(r -> r.record().kind()).distinct().toList();
        for (String kind : kinds) {
            StringBuilder line = new StringBuilder(String.format("%-28s", kind));
            for (Topic t : topics) {
                String cell = result.rows().stream().filter(r -> r.record().topic() == t && r.record().kind().equals(kind))
                        .findFirst().map(r -> r.handled() ? (r.record().services().isEmpty() ? "ok (legal)" : "ok")
                                : "NOT").orElse("");
                line.append(String.format(" %-17s", cell));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    private static String shorten(String reason) {
        String oneLine = reason.replace('\n', ' ');
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 197) + "...";
    }
}
