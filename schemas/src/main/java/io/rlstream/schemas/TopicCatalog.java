package io.rlstream.schemas;

import java.util.Arrays;
import java.util.List;

/**
 * Topic names and partition counts for one deployment: a prefix (default {@code rl.}) and the
 * partition count of the co-partitioned group topics.
 */
public record TopicCatalog(String prefix, int groupPartitions) {

    public TopicCatalog {
        if (prefix == null) {
            throw new IllegalArgumentException("topic prefix must not be null (use \"\" for none)");
        }
        if (groupPartitions < 1) {
            throw new IllegalArgumentException("group topic partitions must be >= 1, got " + groupPartitions);
        }
    }

    /** The default catalog: prefix {@code rl.}, 4 partitions on the group topics. */
    public static TopicCatalog defaults() {
        return new TopicCatalog(Topic.DEFAULT_PREFIX, Topic.ROLLOUTS.defaultPartitions());
    }

    public String name(Topic topic) {
        return topic.topicName(prefix);
    }

    public int partitions(Topic topic) {
        return topic.coPartitioned() ? groupPartitions : topic.defaultPartitions();
    }

    public List<Topic> topics() {
        return Arrays.asList(Topic.values());
    }
}
