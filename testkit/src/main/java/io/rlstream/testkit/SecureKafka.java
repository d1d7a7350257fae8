package io.rlstream.testkit;

import io.rlstream.config.ServiceConfig;
import io.rlstream.ops.security.AclApplier;
import io.rlstream.ops.security.AclSet;
import io.rlstream.ops.security.RlstreamService;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Kafka broker that authenticates and authorizes: Kafka's in-process KRaft test kit (one
 * combined node) with SASL on its listener, SCRAM-SHA-512 for clients, and the
 * {@code StandardAuthorizer} with {@code allow.everyone.if.no.acl.found=false}, so a principal
 * can do only what its ACLs allow. The user {@value #ADMIN} is a super user; create the others
 * with {@link #addUser} (SCRAM credentials stored in the KRaft metadata, as
 * {@code kafka-configs.sh --alter --add-config SCRAM-SHA-512=...} does).
 *
 * <p>The node itself talks to its controller and to itself with SASL/PLAIN as the test kit's own
 * super user ({@code plain-admin}, from the JAAS file the test kit writes and points
 * {@code java.security.auth.login.config} at); clients see only SCRAM users.
 *
 * <pre>{@code
 * try (SecureKafka kafka = SecureKafka.start()) {
 *     kafka.addUser("rlstream-worker", "worker-secret");
 *     Map<String, Object> props = kafka.clientSettings("rlstream-worker", "worker-secret");
 * }
 * }</pre>
 */
public final class SecureKafka extends AdministeredCluster {

    /** The super user clients administer the cluster as (SCRAM-SHA-512). */
    public static final String ADMIN = "admin";
    public static final String ADMIN_PASSWORD = "admin-secret";
    public static final String MECHANISM = "SCRAM-SHA-512";

    private SecureKafka(KafkaClusterTestKit cluster, Admin admin) {
        super(cluster, admin);
    }

    /** Starts the node (a few seconds), and creates the admin's SCRAM credentials. */
    public static SecureKafka start() {
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                .setControllerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        brokerSettings().forEach(builder::setConfigProp);
        return TestClusters.start(builder, "the in-process Kafka test cluster with SASL", cluster -> {
            // The test kit's own PLAIN super user creates the SCRAM admin; from then on clients use SCRAM only.
            try (Admin bootstrap = cluster.admin()) {
                upsert(bootstrap, ADMIN, ADMIN_PASSWORD);
            }
            Admin admin = Admin.create(new LinkedHashMap<>(clientSettings(cluster.bootstrapServers(), ADMIN, ADMIN_PASSWORD)));
            return new SecureKafka(cluster, admin);
        });
    }

    private static Map<String, String> brokerSettings() {
        // One node with the plain test broker's settings (replication factors 1, no rebalance delay,
        // records as large as on the local platform broker), plus SASL and the authorizer.
        Map<String, String> s = new LinkedHashMap<>(KafkaFixture.BROKER_SETTINGS);
        s.put("sasl.enabled.mechanisms", "PLAIN," + MECHANISM);
        s.put("listener.name.external." + MECHANISM.toLowerCase() + ".sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        s.put("super.users", "User:plain-admin;User:" + ADMIN);
        s.put("allow.everyone.if.no.acl.found", "false");
        return s;
    }

    private static void upsert(Admin admin, String user, String password) throws Exception {
        admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password))).all().get(30, TimeUnit.SECONDS);
    }

    /** Creates (or changes) a SCRAM-SHA-512 user; the principal is {@code User:name}. */
    public void addUser(String name, String password) {
        try {
            upsert(admin(), name, password);
            // The credentials reach the broker's cache through the metadata log: wait until a login works.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try (Admin probe = Admin.create(new LinkedHashMap<>(clientSettings(name, password)))) {
                    probe.describeCluster().clusterId().get(10, TimeUnit.SECONDS);
                    return;
                } catch (java.util.concurrent.ExecutionException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(200);
                }
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot create the SCRAM user " + name + ": " + e, e);
        }
    }

    /**
     * The client settings of a user, unprefixed as in a client.properties file: bootstrap servers,
     * {@code security.protocol=SASL_PLAINTEXT}, {@code sasl.mechanism=SCRAM-SHA-512}, {@code sasl.jaas.config}.
     */
    public Map<String, String> clientSettings(String user, String password) {
        return clientSettings(bootstrapServers(), user, password);
    }

    private static Map<String, String> clientSettings(String bootstrap, String user, String password) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, SecurityProtocol.SASL_PLAINTEXT.name);
        p.put(SaslConfigs.SASL_MECHANISM, MECHANISM);
        p.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user + "\" password=\"" + password + "\";");
        return p;
    }

    /**
     * A service's settings for a user, as in its properties file ({@code --config}):
     * {@code bootstrap.servers} and the client settings under the {@code kafka.} passthrough prefix
     * ({@link ServiceConfig#clientProps()} turns them back into client settings).
     */
    public Map<String, String> serviceSettings(String user, String password) {
        Map<String, String> settings = new LinkedHashMap<>();
        clientSettings(user, password).forEach((k, v) -> settings.put(
                k.equals(ServiceConfig.BOOTSTRAP_SERVERS) ? k : ServiceConfig.KAFKA_PASSTHROUGH_PREFIX + k, v));
        return settings;
    }

    /** Creates the ACL set's bindings as the super user, through the applier {@code rlstream acls --apply} uses. */
    public AclApplier.Result applyAcls(AclSet acls) {
        try {
            return new AclApplier(admin(), 30_000).apply(acls.bindings());
        } catch (AclApplier.Refused e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * Creates the SCRAM user of a service's default principal ({@code User:rlstream-dashboard}: user
     * {@code rlstream-dashboard}, password {@code rlstream-dashboard-secret}) and returns its
     * {@link #serviceSettings}.
     */
    public Map<String, String> addServiceUser(RlstreamService service) {
        String principal = service.defaultPrincipal();
        String user = principal.substring(principal.indexOf(':') + 1);
        addUser(user, user + "-secret");
        return serviceSettings(user, user + "-secret");
    }
}
