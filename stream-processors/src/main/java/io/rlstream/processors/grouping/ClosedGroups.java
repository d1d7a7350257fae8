package io.rlstream.processors.grouping;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The groups a task has closed in the last {@code group.retention.ms}, so that records arriving
 * for them are counted as late. One store, two kinds of key: {@code id NUL group_id} to look a
 * group up, and {@code at NUL closing time (19 digits) NUL group_id} in closing order, so that
 * expiry reads only the entries that expire instead of every closed group (which, at 100 groups/s
 * and an hour's retention, is 360,000 entries a task, once a second). Values: the closing time.
 */
final class ClosedGroups {

    private static final char SEP = '\u0000';
    private static final String BY_ID = "id" + SEP;
    private static final String BY_TIME = "at" + SEP;
    private static final StringSerializer KEYS = new StringSerializer();

    private final KeyValueStore<String, Long> store;

    ClosedGroups(KeyValueStore<String, Long> store) {
        this.store = store;
    }

    boolean contains(String groupId) {
        return store.get(BY_ID + groupId) != null;
    }

    void add(String groupId, long closedAt) {
        store.put(BY_ID + groupId, closedAt);
        store.put(byTime(closedAt, groupId), closedAt);
    }

    /** Forgets the groups closed before {@code cutoff}, oldest first, stopping at the first younger one. */
    void forgetClosedBefore(long cutoff) {
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, Long> it = store.prefixScan(BY_TIME, KEYS)) {
            while (it.hasNext()) {
                KeyValue<String, Long> kv = it.next();
                if (kv.value >= cutoff) {
                    break;
                }
                expired.add(kv.key);
            }
        }
        for (String key : expired) {
            store.delete(key);
            store.delete(BY_ID + key.substring(key.lastIndexOf(SEP) + 1));
        }
    }

    private static String byTime(long closedAt, String groupId) {
        // Zero-padded so that the store's byte order is time order (closing times are never negative).
        return BY_TIME + String.format("%019d", closedAt) + SEP + groupId;
    }
}
