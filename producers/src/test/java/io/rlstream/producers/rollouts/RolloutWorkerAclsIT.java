package io.rlstream.producers.rollouts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.config.ServiceConfig;
import io.rlstream.ops.security.AclSet;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.SecureKafka;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A real rollout worker on a broker with SASL/SCRAM and an authorizer, connecting through the
 * kafka.-prefixed client settings: run as a principal without the worker's ACLs it stops at once
 * with one line naming the principal and what it was refused (its failure(), which rlstream worker
 * reports as the reason it is dead), instead of retrying forever or dying with a stack trace.
 * And the names the ACL set grants the worker are the worker's own settings' defaults.
 */
class RolloutWorkerAclsIT {

    @Test
    void aWorkerWithoutItsAclsStopsWithOneLineNamingPrincipalAndResource() throws Exception {
        try (SecureKafka kafka = SecureKafka.start()) {
            kafka.createTopics(TopicCatalog.defaults());
            kafka.addUser("rlstream-nobody", "nobody-secret");
            Map<String, Object> settings = new HashMap<>();
            kafka.clientSettings("rlstream-nobody", "nobody-secret").forEach((k, v) -> settings.put(
                    k.equals(ServiceConfig.BOOTSTRAP_SERVERS) ? k : ServiceConfig.KAFKA_PASSTHROUGH_PREFIX + k, v));
            settings.put(ServiceConfig.METRICS_PORT, "-1");
            RolloutWorker worker = new RolloutWorker(new WorkerConfig(settings));
            Thread thread = new Thread(worker, "worker");
            thread.setUncaughtExceptionHandler((t, e) -> { });
            thread.start();
            thread.join(60_000);
            assertFalse(thread.isAlive(), "the worker stops instead of retrying a refusal");
            assertNotNull(worker.failure(), "the worker says why it stopped");
            // its first Kafka request that needs an ACL: the checkpoint follower looks up rl.checkpoints' partitions
            assertEquals("principal User:rlstream-nobody may not use topic rl.checkpoints"
                    + " (TopicAuthorizationException); grant it (rlstream acls prints every service's ACLs)"
                    + " or run the service as the principal that has it", worker.failure().getMessage());
        }
    }

    @Test
    void theAclSetGrantsTheWorkersOwnNames() {
        Map<String, Object> workerDefaults = WorkerConfig.DEFINITION.defaultValues();
        Map<String, Object> aclDefaults = AclSet.DEFINITION.defaultValues();
        assertEquals(workerDefaults.get(WorkerConfig.GROUP_ID), aclDefaults.get(AclSet.WORKER_GROUP_ID));
        // RolloutWorker's transactional id is "rlstream-" + worker.id: the default id must fall under the granted prefix
        String transactionalId = AclSet.WORKER_TRANSACTIONAL_ID_PREFIX + workerDefaults.get(WorkerConfig.WORKER_ID);
        assertTrue(transactionalId.startsWith(AclSet.WORKER_TRANSACTIONAL_ID_PREFIX + aclDefaults.get(AclSet.WORKER_ID_PREFIX)),
                transactionalId);
        assertEquals(AclSet.WORKER_GROUP_ID, WorkerConfig.GROUP_ID, "the same key, so one properties file serves both");
    }
}
