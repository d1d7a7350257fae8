package io.rlstream.testkit;

import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/** The Testcontainers backend of {@link KafkaFixture}; loaded only when asked for. */
final class ContainerKafka {

    private ContainerKafka() {
    }

    static KafkaFixture start(String image, Map<String, String> brokerSettings) {
        boolean docker;
        try {
            docker = DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            docker = false;
        }
        Assumptions.assumeTrue(docker, "Kafka test backend 'testcontainers' was requested, but no Docker engine"
                + " is available here: test skipped (unset " + KafkaFixture.MODE + " to use the in-process broker)");
        KafkaContainer container = new KafkaContainer(DockerImageName.parse(image));
        // The apache/kafka image turns KAFKA_FOO_BAR into foo.bar.
        brokerSettings.forEach((key, value) ->
                container.withEnv("KAFKA_" + key.toUpperCase(Locale.ROOT).replace('.', '_'), value));
        container.start();
        return KafkaFixture.of(KafkaFixture.Backend.TESTCONTAINERS, container.getBootstrapServers(), container::stop);
    }
}
