package io.rlstream.testkit;

import io.rlstream.ops.TopicAdmin;
import io.rlstream.schemas.TopicCatalog;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.test.KafkaClusterTestKit;

/** A started test-kit cluster with the admin client of its super user: what the secured fixtures share. */
abstract class AdministeredCluster implements AutoCloseable {

    private final KafkaClusterTestKit cluster;
    private final Admin admin;

    AdministeredCluster(KafkaClusterTestKit cluster, Admin admin) {
        this.cluster = cluster;
        this.admin = admin;
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** An admin client of the super user; closed with the fixture. */
    public Admin admin() {
        return admin;
    }

    /** Creates the catalog's topics with their partition counts and configs, as the super user. */
    public void createTopics(TopicCatalog catalog) {
        TopicAdmin.createTopics(admin, catalog, (short) 1);
    }

    @Override
    public void close() throws Exception {
        try {
            admin.close();
        } finally {
            cluster.close();
        }
    }
}
