package io.rlstream.monitoring.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlstream.config.AccessRefused;
import io.rlstream.config.ServiceConfig;
import io.rlstream.events.SampleStatus;
import io.rlstream.ops.security.AclSet;
import io.rlstream.ops.security.RlstreamService;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PlainAvroSerdes;
import io.rlstream.testkit.SecureKafka;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard under its own principal ({@code User:rlstream-dashboard}) with only its ACLs
 * ({@code rlstream acls}' set) on a broker with SASL/SCRAM and an authorizer: the real dashboard
 * (feed and server, as {@code rlstream dashboard} starts it) reads the topics, and the principal
 * may write nothing and join no group but its own.
 */
class DashboardAclsIT {

    static final TopicCatalog CATALOG = TopicCatalog.defaults();
    static SecureKafka kafka;
    static Map<String, Object> dashboardProps;

    @BeforeAll
    static void up() {
        kafka = SecureKafka.start();
        kafka.createTopics(CATALOG);
        kafka.applyAcls(AclSet.defaults());
        dashboardProps = new ServiceConfig(ServiceConfig.baseDef(), kafka.addServiceUser(RlstreamService.DASHBOARD))
                .clientProps();
    }

    @AfterAll
    static void down() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    static <T extends SpecificRecord> void produceAsAdmin(Topic topic, String key, T value) throws Exception {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) value.getClass();
        byte[] bytes = new PlainAvroSerdes().serde(type).serializer().serialize(CATALOG.name(topic), value);
        Map<String, Object> admin = new HashMap<>(kafka.clientSettings(SecureKafka.ADMIN, SecureKafka.ADMIN_PASSWORD));
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(admin, new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(CATALOG.name(topic), key, bytes)).get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void theDashboardReadsTheTopicsUnderItsOwnPrincipal() throws Exception {
        produceAsAdmin(Topic.PROMPT_DISPATCH, "g-1", Events.dispatch("g-1", "p-1", "2+2?", 4, 0));
        produceAsAdmin(Topic.ROLLOUTS, "g-1", Events.rollout("g-1", 0, "4", 0, SampleStatus.OK));
        produceAsAdmin(Topic.CHECKPOINTS, "demo", Events.checkpoint(1, 1, List.of("b-1"), Map.of("loss", 0.5)));
        try (Dashboard dashboard = Dashboard.start(dashboardProps, new PlainAvroSerdes(), CATALOG, "127.0.0.1", 0, false)) {
            // the feed joins its group (rlstream-dashboard-<uuid>), reads the three topics: 3 records, none bad
            JsonNode feed = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                feed = summary(dashboard).get("feed");
                if (feed.get("records").asLong() >= 3) {
                    break;
                }
                Thread.sleep(200);
            }
            assertEquals(3, feed.get("records").asLong(), feed.toString());
            assertEquals(0, feed.get("errors").asLong(), feed.toString());
        }
    }

    static JsonNode summary(Dashboard dashboard) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(dashboard.address().resolve("api/summary")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return new ObjectMapper().readTree(r.body());
    }

    @Test
    void theDashboardPrincipalMayWriteNoTopic() {
        Map<String, Object> props = new HashMap<>(dashboardProps);
        // not idempotent: the refusal is the topic's WRITE, not the producer id's
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        try (KafkaProducer<String, String> p = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (Topic topic : Topic.values()) {
                String name = CATALOG.name(topic);
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> p.send(new ProducerRecord<>(name, "k", "v")).get(30, TimeUnit.SECONDS), name);
                AuthorizationException refused = AccessRefused.find(e).orElseThrow(() -> new AssertionError(name + ": " + e));
                assertTrue(refused instanceof TopicAuthorizationException, refused.toString());
                assertEquals("principal User:rlstream-dashboard may not use topic " + name, AccessRefused.describe(refused, props)
                        .substring(0, ("principal User:rlstream-dashboard may not use topic " + name).length()));
            }
        }
    }

    @Test
    void theDashboardPrincipalJoinsNoOtherGroup() {
        Map<String, Object> props = new HashMap<>(dashboardProps);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "rlstream-rollout-workers");
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(CATALOG.name(Topic.ROLLOUTS)));
            GroupAuthorizationException e = assertThrows(GroupAuthorizationException.class, () -> c.poll(Duration.ofSeconds(10)));
            assertEquals("rlstream-rollout-workers", e.groupId());
        }
    }
}
