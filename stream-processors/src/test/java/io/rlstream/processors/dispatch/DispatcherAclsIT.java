package io.rlstream.processors.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.Prompt;
import io.rlstream.events.PromptDispatch;
import io.rlstream.ops.security.AclSet;
import io.rlstream.ops.security.RlstreamService;
import io.rlstream.processors.config.ProcessorsConfig;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.RegistryFixture;
import io.rlstream.testkit.SecureKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real dispatcher (its loop and its selection query app, as {@code rlstream dispatcher} starts
 * them) under its own principal ({@code User:rlstream-dispatcher}) with only its ACLs
 * ({@code rlstream acls}' set) on a broker with SASL/SCRAM and an authorizer: it reads rl.prompts,
 * dispatches, writes its selection and its state, and its Kafka Streams query app (application id
 * dispatch.query.application.id) loads the selections and answers for the prompt.
 */
class DispatcherAclsIT {

    static final TopicCatalog CATALOG = TopicCatalog.defaults();

    @Test
    void theDispatcherRunsUnderItsOwnPrincipal(@TempDir Path stateDir) throws Exception {
        try (SecureKafka kafka = SecureKafka.start()) {
            kafka.createTopics(CATALOG);
            kafka.applyAcls(AclSet.defaults());
            Map<String, Object> settings = new HashMap<>(kafka.addServiceUser(RlstreamService.DISPATCHER));
            settings.put("registry.url", RegistryFixture.url());
            settings.put("group.size", "2");
            settings.put("dispatch.max-in-flight-groups", "4");
            settings.put(ProcessorsConfig.QUERY_PORT, "0");
            settings.put("processors.state.dir", stateDir.toString());
            Map<String, Object> admin = new HashMap<>(kafka.clientSettings(SecureKafka.ADMIN, SecureKafka.ADMIN_PASSWORD));
            send(admin, Topic.PROMPTS, "acl-1", Prompt.newBuilder().setPromptId("acl-1").setText("2+2?")
                    .setReferenceAnswer("4").setCreatedAt(Instant.now()).build());

            try (DispatcherService dispatcher = DispatcherService.start(new ProcessorsConfig(settings), null)) {
                PromptDispatch d = await(admin, Topic.PROMPT_DISPATCH, PromptDispatch.class,
                        x -> x.getPromptId().equals("acl-1"));
                assertEquals(2, d.getGroupSize());
                // the query app (a Streams global table over rl.prompt-selection) has loaded the selection
                URI show = URI.create(dispatcher.queryAddress().orElseThrow() + "/prompts/acl-1");
                HttpResponse<String> answer = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (System.nanoTime() < deadline) {
                    answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(show).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (answer.statusCode() == 200) {
                        break;
                    }
                    Thread.sleep(250);
                }
                assertEquals(200, answer.statusCode(), answer.body());
                assertTrue(answer.body().contains("acl-1"), answer.body());
                assertNull(failure(dispatcher), "the dispatcher's loop is alive");
            }
            // closing writes its state (WRITE on rl.dispatcher-state); the selection went to rl.prompt-selection
            assertTrue(count(admin, Topic.DISPATCHER_STATE) >= 1, "no state on " + CATALOG.name(Topic.DISPATCHER_STATE));
            assertTrue(count(admin, Topic.PROMPT_SELECTION) >= 1, "no selection on " + CATALOG.name(Topic.PROMPT_SELECTION));
        }
    }

    static String failure(DispatcherService dispatcher) {
        io.rlstream.monitoring.health.Health h = dispatcher.health().health();
        return h.alive() ? null : h.reason();
    }

    static <T extends SpecificRecord> void send(Map<String, Object> admin, Topic topic, String key, T value) throws Exception {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) value.getClass();
        try (KafkaProducer<String, T> p = new KafkaProducer<>(admin, new StringSerializer(),
                RegistryFixture.serdes().serde(type).serializer())) {
            p.send(new ProducerRecord<>(CATALOG.name(topic), key, value)).get(30, TimeUnit.SECONDS);
        }
    }

    static <T extends SpecificRecord> T await(Map<String, Object> admin, Topic topic, Class<T> type, Predicate<T> match) {
        Map<String, Object> props = new HashMap<>(admin);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, T> c = new KafkaConsumer<>(props, new StringDeserializer(),
                RegistryFixture.serdes().serde(type).deserializer())) {
            List<TopicPartition> parts = partitions(c, topic);
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, T> r : c.poll(Duration.ofMillis(200))) {
                    if (match.test(r.value())) {
                        return r.value();
                    }
                }
            }
        }
        throw new AssertionError("nothing matching on " + CATALOG.name(topic) + " in 90 s");
    }

    static long count(Map<String, Object> admin, Topic topic) {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(admin, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = partitions(c, topic);
            Map<TopicPartition, Long> ends = c.endOffsets(parts);
            Map<TopicPartition, Long> starts = c.beginningOffsets(parts);
            return new ArrayList<>(parts).stream().mapToLong(p -> ends.get(p) - starts.get(p)).sum();
        }
    }

    static List<TopicPartition> partitions(KafkaConsumer<?, ?> c, Topic topic) {
        return c.partitionsFor(CATALOG.name(topic)).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    }
}
