package io.rlstream.producers.prompts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.config.AccessRefused;
import io.rlstream.config.ServiceConfig;
import io.rlstream.events.Prompt;
import io.rlstream.ops.security.AclSet;
import io.rlstream.ops.security.RlstreamService;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.RegistryFixture;
import io.rlstream.testkit.SecureKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rlstream prompts} under its own principal ({@code User:rlstream-prompts}) with only its
 * ACLs ({@code rlstream acls}' set) on a broker with SASL/SCRAM and an authorizer, the principal
 * given in its properties file ({@code --config}, kafka.-prefixed): the command puts a file's
 * prompts on rl.prompts, and the principal may write nothing else.
 */
class PromptsAclsIT {

    static final TopicCatalog CATALOG = TopicCatalog.defaults();

    @Test
    void thePromptsCommandProducesUnderItsOwnPrincipalAndNothingElse(@TempDir Path dir) throws Exception {
        try (SecureKafka kafka = SecureKafka.start()) {
            kafka.createTopics(CATALOG);
            kafka.applyAcls(AclSet.defaults());
            Map<String, String> settings = kafka.addServiceUser(RlstreamService.PROMPTS);
            Path config = dir.resolve("prompts.properties");
            Files.writeString(config, settings.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue().replace("\\", "\\\\")).collect(Collectors.joining("\n")));
            Path file = dir.resolve("acl.jsonl");
            Files.writeString(file, """
                    {"prompt_id": "acl-1", "text": "2+2?", "answer": "4"}
                    {"prompt_id": "acl-2", "text": "3+4?", "answer": "7"}
                    """);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = PromptsCommand.run(List.of("--file", file.toString(), "--config", config.toString(),
                    "--registry-url", RegistryFixture.url()), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(0, status, out + "\n" + err);
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("produced 2 prompts to rl.prompts"), out.toString());

            // the super user reads them back: the two ids, in file order, decoded by the registry's serde
            Map<String, Object> admin = new HashMap<>(kafka.clientSettings(SecureKafka.ADMIN, SecureKafka.ADMIN_PASSWORD));
            List<Prompt> read = new ArrayList<>();
            try (KafkaConsumer<String, Prompt> c = new KafkaConsumer<>(admin, new StringDeserializer(),
                    RegistryFixture.serdes().serde(Prompt.class).deserializer())) {
                List<TopicPartition> parts = c.partitionsFor(CATALOG.name(Topic.PROMPTS)).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                c.assign(parts);
                c.seekToBeginning(parts);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (read.size() < 2 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, Prompt> r : c.poll(Duration.ofMillis(200))) {
                        read.add(r.value());
                    }
                }
            }
            assertEquals(List.of("acl-1", "acl-2"), read.stream().map(Prompt::getPromptId).sorted().toList());

            // and it may write nothing else: the dispatcher's output, say
            Map<String, Object> props = new ServiceConfig(ServiceConfig.baseDef(), settings).clientProps();
            try (KafkaProducer<String, String> p = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
                String dispatch = CATALOG.name(Topic.PROMPT_DISPATCH);
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> p.send(new ProducerRecord<>(dispatch, "g", "forged")).get(30, TimeUnit.SECONDS));
                AuthorizationException refused = AccessRefused.find(e).orElseThrow();
                assertTrue(refused instanceof TopicAuthorizationException, refused.toString());
                assertTrue(AccessRefused.describe(refused, props).startsWith(
                        "principal User:rlstream-prompts may not use topic rl.prompt-dispatch "), refused.toString());
            }
        }
    }
}
