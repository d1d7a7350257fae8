package io.rlstream.testkit;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Kafka broker that authenticates clients by their certificates (mTLS) and authorizes:
 * Kafka's in-process KRaft test kit (one combined node) with SSL on its listeners and
 * {@code ssl.client.auth=required}, {@code ssl.principal.mapping.rules} {@value #PRINCIPAL_MAPPING_RULES}
 * (a certificate with subject {@code CN=rlstream-worker} is the principal {@code User:rlstream-worker}),
 * and the {@code StandardAuthorizer} with {@code allow.everyone.if.no.acl.found=false}. The
 * sibling of {@link SecureKafka} (SASL/SCRAM).
 *
 * <p>A {@link TestCertificateAuthority} made in the given folder signs every certificate: the
 * node's own ({@value #BROKER}, valid for localhost and 127.0.0.1; it talks to its controller and
 * to itself with it, a super user), the super user {@value #ADMIN}'s, and one per client name
 * passed to {@link #start}.
 *
 * <pre>{@code
 * try (MutualTlsKafka kafka = MutualTlsKafka.start(dir, List.of("rlstream-worker"))) {
 *     Map<String, String> props = kafka.clientSettings("rlstream-worker");
 * }
 * }</pre>
 */
public final class MutualTlsKafka extends AdministeredCluster {

    /** The super user clients administer the cluster as (its certificate's CN). */
    public static final String ADMIN = "admin";
    /** The node's own certificate's CN; a super user, as brokers and controllers must be. */
    public static final String BROKER = "rlstream-broker";
    /** The certificate's CN is the user name: {@code CN=rlstream-worker,...} is {@code User:rlstream-worker}. */
    public static final String PRINCIPAL_MAPPING_RULES = "RULE:^CN=([^,]+).*$/$1/,DEFAULT";

    /** The id the test kit gives its one combined node. */
    private static final int NODE_ID = 0;

    private final TestCertificateAuthority ca;

    private MutualTlsKafka(KafkaClusterTestKit cluster, TestCertificateAuthority ca) {
        super(cluster, Admin.create(new LinkedHashMap<>(clientSettings(cluster.bootstrapServers(), ca, ADMIN))));
        this.ca = ca;
    }

    /**
     * Makes the certificates in {@code dir} (keytool, a few seconds) and starts the node.
     *
     * @param clients the common names to issue client certificates for, besides {@value #ADMIN}
     */
    public static MutualTlsKafka start(Path dir, List<String> clients) {
        long t0 = System.nanoTime();
        Map<String, List<String>> names = new LinkedHashMap<>();
        names.put(BROKER, List.of("localhost", "127.0.0.1"));
        names.put(ADMIN, List.of());
        clients.forEach(c -> names.put(c, List.of()));
        TestCertificateAuthority ca = TestCertificateAuthority.create(dir, names);
        long t1 = System.nanoTime();
        // The test kit builds PLAINTEXT or SASL_PLAINTEXT listeners only; its per-node overrides,
        // applied last, turn both of the node's listeners (EXTERNAL, CONTROLLER) into SSL ones.
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .setPerServerProperties(Map.of(NODE_ID, Map.of("listener.security.protocol.map",
                        "EXTERNAL:SSL,CONTROLLER:SSL")))
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        brokerSettings(ca, ca.keystore(BROKER)).forEach(builder::setConfigProp);
        return TestClusters.start(builder, "the in-process Kafka test cluster with mTLS", cluster -> {
            System.out.printf("mTLS test broker ready at %s: %d certificates in %.1f s, broker in %.1f s%n",
                    cluster.bootstrapServers(), names.size(), (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
            return new MutualTlsKafka(cluster, ca);
        });
    }

    private static Map<String, String> brokerSettings(TestCertificateAuthority ca, Path keystore) {
        // One node with the plain test broker's settings, plus TLS and the authorizer.
        Map<String, String> s = new LinkedHashMap<>(KafkaFixture.BROKER_SETTINGS);
        // The listeners' TLS: the node's key and the CA it trusts, for its server side and for its
        // connections to its controller and to itself; every client must show a certificate.
        s.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, keystore.toString());
        s.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, TestCertificateAuthority.PASSWORD);
        s.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, ca.truststore().toString());
        s.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, TestCertificateAuthority.PASSWORD);
        s.put("ssl.client.auth", "required");
        s.put("ssl.principal.mapping.rules", PRINCIPAL_MAPPING_RULES);
        s.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        s.put("super.users", "User:" + BROKER + ";User:" + ADMIN);
        s.put("allow.everyone.if.no.acl.found", "false");
        return s;
    }

    /**
     * The client settings of a certificate's common name, unprefixed as in a client.properties
     * file: bootstrap servers, {@code security.protocol=SSL}, the keystore with its certificate and
     * the truststore with the CA, with their passwords (nothing else: PKCS12 files load as the
     * default keystore type, and the key's password is the store's).
     */
    public Map<String, String> clientSettings(String commonName) {
        return clientSettings(bootstrapServers(), ca, commonName);
    }

    private static Map<String, String> clientSettings(String bootstrapServers, TestCertificateAuthority ca,
            String commonName) {
        Path keystore = ca.keystore(commonName);
        Map<String, String> p = new LinkedHashMap<>();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, SecurityProtocol.SSL.name);
        p.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, keystore.toString());
        p.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, TestCertificateAuthority.PASSWORD);
        p.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, ca.truststore().toString());
        p.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, TestCertificateAuthority.PASSWORD);
        return p;
    }

    /** The keystore (PKCS12, {@link TestCertificateAuthority#PASSWORD}) of a common name issued at start. */
    public Path keystore(String commonName) {
        return ca.keystore(commonName);
    }

    public TestCertificateAuthority certificateAuthority() {
        return ca;
    }
}
