package io.rlstream.testkit;

import org.apache.kafka.common.test.KafkaClusterTestKit;

/** Starting an in-process KRaft test-kit cluster, shared by the plain, SASL and mTLS fixtures. */
final class TestClusters {

    /** What a fixture does with its started cluster (create its admin, its users...); may throw. */
    interface Started<T> {
        T use(KafkaClusterTestKit cluster) throws Exception;
    }

    private TestClusters() {
    }

    /**
     * Builds, formats and starts the cluster, waits for its brokers and hands it to {@code started};
     * on any failure closes what was started and throws an IllegalStateException naming {@code what}.
     */
    static <T> T start(KafkaClusterTestKit.Builder builder, String what, Started<T> started) {
        KafkaClusterTestKit cluster = null;
        try {
            cluster = builder.build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return started.use(cluster);
        } catch (Exception e) {
            if (cluster != null) {
                try {
                    cluster.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot start " + what + ": " + e, e);
        }
    }
}
