package io.rlstream.ops.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The generated Strimzi files of ops/k8s equal what the code declares, and say what a cluster needs. */
class StrimziResourcesTest {

    /** ops/k8s, seen from the ops module's folder (surefire's working directory). */
    private static final Path K8S = Path.of("k8s");

    @Test
    void generatedFilesAreUpToDate() throws IOException {
        for (Map.Entry<String, String> file : StrimziResources.files().entrySet()) {
            Path path = K8S.resolve(file.getKey());
            assertEquals(file.getValue(), Files.exists(path) ? Files.readString(path) : "(missing)",
                    "ops/k8s/" + file.getKey() + " differs from the code; regenerate it: java -cp"
                            + " \"ops/target/classes:$(cat launcher/target/classpath.txt)\""
                            + " io.rlstream.ops.k8s.StrimziResources ops/k8s");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyTopicWithItsPartitionsReplicasAndCompaction() throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        new Yaml().loadAll(Files.readString(K8S.resolve(StrimziResources.TOPICS_FILE)))
                .forEach(d -> docs.add((Map<String, Object>) d));

        Map<String, Map<String, Object>> byTopic = new TreeMap<>();
        for (Map<String, Object> doc : docs) {
            assertEquals("KafkaTopic", doc.get("kind"));
            assertEquals("rlstream", ((Map<String, Map<String, String>>) doc.get("metadata")).get("labels").get("strimzi.io/cluster"));
            Map<String, Object> spec = (Map<String, Object>) doc.get("spec");
            byTopic.put((String) spec.get("topicName"), spec);
        }
        // The 14 topics of docs/architecture.md#topics, written out by hand.
        assertEquals(new TreeSet<>(List.of("rl.prompts", "rl.prompt-dispatch", "rl.rollouts", "rl.rewards",
                "rl.training-batches", "rl.preference-pairs", "rl.prompt-stats", "rl.prompt-selection",
                "rl.dispatcher-state", "rl.checkpoints", "rl.metrics", "rl.step-summary", "rl.feedback",
                "rl.dead-letters")), byTopic.keySet());
        for (Map.Entry<String, Map<String, Object>> e : byTopic.entrySet()) {
            Map<String, Object> spec = e.getValue();
            Map<String, String> config = (Map<String, String>) spec.get("config");
            // Group topics are co-partitioned with group.partitions' default 4; the others have 1.
            int partitions = List.of("rl.prompt-dispatch", "rl.rollouts", "rl.rewards").contains(e.getKey()) ? 4 : 1;
            assertEquals(partitions, spec.get("partitions"), e.getKey());
            // 3 copies, one may be down: min.insync.replicas 2 (docs/operations.md#replicated-cluster).
            assertEquals(3, spec.get("replicas"), e.getKey());
            assertEquals("2", config.get("min.insync.replicas"), e.getKey());
            // Compacted: the four state topics of docs/architecture.md#topics.
            boolean compacted = List.of("rl.prompt-stats", "rl.prompt-selection", "rl.dispatcher-state",
                    "rl.step-summary").contains(e.getKey());
            assertEquals(compacted ? "compact" : null, config.get("cleanup.policy"), e.getKey());
        }
        // Token-carrying topics take 16 MiB records: 16 * 1024 * 1024 = 16777216.
        assertEquals("16777216", ((Map<String, String>) byTopic.get("rl.rollouts").get("config")).get("max.message.bytes"));
        assertEquals("zstd", ((Map<String, String>) byTopic.get("rl.training-batches").get("config")).get("compression.type"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void oneScramUserPerServiceWithItsAcls() throws IOException {
        Map<String, List<String>> aclsByUser = new TreeMap<>();
        for (Object d : new Yaml().loadAll(Files.readString(K8S.resolve(StrimziResources.USERS_FILE)))) {
            Map<String, Object> doc = (Map<String, Object>) d;
            assertEquals("KafkaUser", doc.get("kind"));
            Map<String, Object> spec = (Map<String, Object>) doc.get("spec");
            assertEquals(Map.of("type", "scram-sha-512"), spec.get("authentication"));
            Map<String, Object> authorization = (Map<String, Object>) spec.get("authorization");
            assertEquals("simple", authorization.get("type"));
            List<String> acls = new ArrayList<>();
            for (Map<String, Object> acl : (List<Map<String, Object>>) authorization.get("acls")) {
                Map<String, String> r = (Map<String, String>) acl.get("resource");
                acls.add(acl.get("operations") + " " + r.get("type") + " " + r.get("name") + " " + r.get("patternType"));
                assertEquals("*", acl.get("host"));
            }
            aclsByUser.put((String) ((Map<String, Object>) doc.get("metadata")).get("name"), acls);
        }
        // Principal User:rlstream-SERVICE of each of AclSet's eight services.
        assertEquals(new TreeSet<>(List.of("rlstream-prompts", "rlstream-dispatcher", "rlstream-worker", "rlstream-rewards",
                "rlstream-processors", "rlstream-trainer", "rlstream-dashboard", "rlstream-connect")), aclsByUser.keySet());
        // A worker, by hand from its job: reads dispatches and checkpoints, writes rollouts, dead
        // letters and metrics, joins rlstream-rollout-workers, and uses transactional ids
        // rlstream-<worker.id>, worker.id starting with worker-.
        assertEquals(List.of("[Read] topic rl.prompt-dispatch literal", "[Read] topic rl.checkpoints literal",
                "[Write] topic rl.rollouts literal", "[Write] topic rl.dead-letters literal",
                "[Write] topic rl.metrics literal", "[Read] group rlstream-rollout-workers literal",
                "[Write] transactionalId rlstream-worker- prefix"), aclsByUser.get("rlstream-worker"));
        // A Kafka Streams app (rewards): everything on its internal topics rlstream-rewards-*.
        assertTrue(aclsByUser.get("rlstream-rewards").contains("[All] topic rlstream-rewards- prefix"));
        assertEquals(List.of("[Write] topic rl.prompts literal"), aclsByUser.get("rlstream-prompts"));
    }

    @Test
    void kafkaNamesInStrimziSpelling() {
        assertEquals("transactionalId", StrimziResources.camel("TRANSACTIONAL_ID", false));
        assertEquals("IdempotentWrite", StrimziResources.camel("IDEMPOTENT_WRITE", true));
        assertEquals("topic", StrimziResources.camel("TOPIC", false));
    }

    @Test
    void resourceNamesAreKubernetesNames() {
        assertEquals("rl-prompt-dispatch", StrimziResources.resourceName("rl.prompt-dispatch"));
        assertEquals("my-team-rollouts", StrimziResources.resourceName("My_Team.rollouts"));
    }
}
