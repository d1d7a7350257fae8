package io.rlstream.ops.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclBinding;
import org.junit.jupiter.api.Test;

/**
 * The ACL set as a specification (what each service may do, written out by hand from the services'
 * code and issue 21) and {@code rlstream acls}' output and usage errors. Applying them on a broker
 * with an authorizer: testkit's LeastPrivilegeAclsTest.
 */
class AclsCommandTest {

    record Run(int status, String out, String err) {
    }

    static Run acls(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = AclsCommand.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** "TYPE PATTERN NAME OPERATION" per binding, principal left out. */
    static Set<String> grants(AclSet set, RlstreamService service) {
        return set.service(service).bindings().stream().map(b -> b.pattern().resourceType() + " "
                + b.pattern().patternType() + " " + b.pattern().name() + " " + b.entry().operation())
                .collect(Collectors.toSet());
    }

    @Test
    void aWorkerReadsDispatchesAndCheckpointsWritesRolloutsAndNothingElse() {
        // issue 21: reads rl.prompt-dispatch and rl.checkpoints, writes rl.rollouts (and its dead letters and
        // metrics: RolloutWorker, MetricsPublisher), its group (worker.group.id) and its transactional id
        // (RolloutWorker: "rlstream-" + worker.id)
        assertEquals(Set.of(
                "TOPIC LITERAL rl.prompt-dispatch READ",
                "TOPIC LITERAL rl.checkpoints READ",
                "TOPIC LITERAL rl.rollouts WRITE",
                "TOPIC LITERAL rl.dead-letters WRITE",
                "TOPIC LITERAL rl.metrics WRITE",
                "GROUP LITERAL rlstream-rollout-workers READ",
                "TRANSACTIONAL_ID PREFIXED rlstream-worker- WRITE"), grants(AclSet.defaults(), RlstreamService.WORKER));
        assertEquals("User:rlstream-worker", AclSet.defaults().service(RlstreamService.WORKER).principal());
    }

    @Test
    void theTrainerReadsItsInputsAndWritesCheckpointsAndNoStreamsApp() {
        assertEquals(Set.of(
                "TOPIC LITERAL rl.training-batches READ",
                "TOPIC LITERAL rl.preference-pairs READ",
                "TOPIC LITERAL rl.prompts READ",
                // the rollouts of batches and pairs written by reference (processors batch.tokens=reference)
                "TOPIC LITERAL rl.rollouts READ",
                "TOPIC LITERAL rl.checkpoints WRITE",
                "TOPIC LITERAL rl.dead-letters WRITE",
                "TOPIC LITERAL rl.metrics WRITE"), grants(AclSet.defaults(), RlstreamService.TRAINER));
    }

    @Test
    void theRewardServiceIsAnExactlyOnceStreamsAppUnderItsApplicationId() {
        assertEquals(Set.of(
                "TOPIC LITERAL rl.rollouts READ",
                "TOPIC LITERAL rl.feedback READ",
                "TOPIC LITERAL rl.prompts READ",
                "TOPIC LITERAL rl.rewards WRITE",
                "TOPIC LITERAL rl.dead-letters WRITE",
                "TOPIC LITERAL rl.metrics WRITE",
                // its changelog and repartition topics, its group, its producers' transactional ids
                "TOPIC PREFIXED rlstream-rewards- ALL",
                "GROUP LITERAL rlstream-rewards READ",
                "TRANSACTIONAL_ID PREFIXED rlstream-rewards- WRITE"), grants(AclSet.defaults(), RlstreamService.REWARDS));
    }

    @Test
    void theDashboardOnlyReads() {
        for (String grant : grants(AclSet.defaults(), RlstreamService.DASHBOARD)) {
            assertTrue(grant.endsWith(" READ"), grant);
        }
        assertTrue(grants(AclSet.defaults(), RlstreamService.DASHBOARD).contains("GROUP PREFIXED rlstream-dashboard- READ"));
    }

    @Test
    void namesFollowTheSettingsAndPrincipalsTheFlags() {
        AclSet set = AclSet.of(Map.of("topic.prefix", "prod.", "processors.output.topic-prefix", "replay.",
                "worker.group.id", "pool-a", "acls.worker.id.prefix", "gpu-"), Map.of(RlstreamService.WORKER, "User:gpu-pool"));
        assertEquals("User:gpu-pool", set.service(RlstreamService.WORKER).principal());
        Set<String> worker = grants(set, RlstreamService.WORKER);
        assertTrue(worker.contains("TOPIC LITERAL prod.prompt-dispatch READ"), worker.toString());
        assertTrue(worker.contains("GROUP LITERAL pool-a READ"), worker.toString());
        assertTrue(worker.contains("TRANSACTIONAL_ID PREFIXED rlstream-gpu- WRITE"), worker.toString());
        Set<String> processors = grants(set, RlstreamService.PROCESSORS);
        assertTrue(processors.contains("TOPIC LITERAL prod.rollouts READ"), "inputs under topic.prefix");
        assertTrue(processors.contains("TOPIC LITERAL replay.training-batches WRITE"), "outputs under the output prefix");
        assertFalse(processors.contains("TOPIC LITERAL prod.training-batches WRITE"), processors.toString());
    }

    @Test
    void printsATablePerPrincipalAndTheKafkaAclsCommands() {
        Run run = acls("--principal", "trainer=User:gpu-trainer");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("User:gpu-trainer  (the trainer: "), run.out());
        assertTrue(run.out().contains("  TOPIC             LITERAL   rl.training-batches                READ\n"), run.out());
        assertTrue(run.out().contains("kafka-acls.sh --bootstrap-server 127.0.0.1:9092 --add --allow-principal "
                + "User:rlstream-worker --operation Read --topic rl.prompt-dispatch\n"), run.out());
        assertTrue(run.out().contains("--allow-principal User:rlstream-worker --operation Write --transactional-id "
                + "rlstream-worker- --resource-pattern-type prefixed\n"), run.out());
        long commands = run.out().lines().filter(l -> l.startsWith("kafka-acls.sh ")).count();
        assertEquals(AclSet.defaults().bindings().size(), commands, "one command per ACL");
        for (AclBinding b : AclSet.defaults().bindings()) {
            assertTrue(b.entry().principal().startsWith("User:rlstream-"), b.toString());
        }
    }

    @Test
    void badFlagsAreUsageErrorsWithExitTwo() {
        Run unknownService = acls("--principal", "trainr=User:x");
        assertEquals(2, unknownService.status());
        assertTrue(unknownService.err().contains("unknown service 'trainr'; the services are prompts, dispatcher, worker"),
                unknownService.err());
        Run noType = acls("--principal", "worker=gpu");
        assertEquals(2, noType.status());
        assertTrue(noType.err().contains("write it as Kafka does, e.g. User:gpu"), noType.err());
        Run unknownFlag = acls("--aply");
        assertEquals(2, unknownFlag.status());
        assertTrue(unknownFlag.err().contains("unknown flag --aply; did you mean --apply?"), unknownFlag.err());
        Run help = acls("--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("Usage: rlstream acls") && help.out().contains("--apply"), help.out());
    }
}
