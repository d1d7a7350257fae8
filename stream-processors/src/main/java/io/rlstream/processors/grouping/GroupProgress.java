package io.rlstream.processors.grouping;

import java.nio.ByteBuffer;
import java.util.BitSet;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * How far one group is: its size G, which sample indices have a rollout ({@code seen}), and which
 * are resolved: a FAILED rollout, or an OK rollout together with its reward. The group is
 * complete when all G indices are resolved. After completion only a {@code done} marker stays,
 * so that late records of the group are recognised, counted and dropped, until the retention
 * ({@code group.retention.ms}) has passed.
 *
 * <p>{@code since} is the wall-clock time (ms) at which this app first saw the group, or closed it
 * for a {@code done} marker: the group timeout and the retention count from it. Wall clock, not
 * record time, so that a replay of old records does not time every group out at once.
 *
 * <p>Immutable: the update methods return copies.
 */
record GroupProgress(int groupSize, BitSet seen, BitSet resolved, boolean done, long since) {

    GroupProgress {
        seen = (BitSet) seen.clone();
        resolved = (BitSet) resolved.clone();
    }

    static GroupProgress start(int groupSize, long now) {
        return new GroupProgress(groupSize, new BitSet(), new BitSet(), false, now);
    }

    /** The marker left behind when a group closed; its samples are gone from the stores. */
    static GroupProgress finished(int groupSize, long now) {
        return new GroupProgress(groupSize, new BitSet(), new BitSet(), true, now);
    }

    boolean hasSample(int index) {
        return seen.get(index);
    }

    /** Records a rollout at {@code index}, resolved or still waiting for its reward. */
    GroupProgress withSample(int index, boolean isResolved) {
        BitSet s = (BitSet) seen.clone();
        s.set(index);
        BitSet r = (BitSet) resolved.clone();
        if (isResolved) {
            r.set(index);
        }
        return new GroupProgress(groupSize, s, r, done, since);
    }

    /** The same progress with G set; for a group opened by a reward, before any rollout told its size. */
    GroupProgress withGroupSize(int size) {
        return new GroupProgress(size, seen, resolved, done, since);
    }

    GroupProgress resolve(int index) {
        return withSample(index, true);
    }

    /** All G samples resolved; never for a group whose size is not known yet (G = 0). */
    boolean complete() {
        return groupSize > 0 && resolved.cardinality() == groupSize;
    }

    /** Compact binary serde for the progress store: G, done flag, both bit sets, then {@code since}. */
    static Serde<GroupProgress> serde() {
        Serializer<GroupProgress> serializer = (topic, p) -> {
            if (p == null) {
                return null;
            }
            byte[] s = p.seen.toByteArray();
            byte[] r = p.resolved.toByteArray();
            return ByteBuffer.allocate(4 + 1 + 4 + s.length + 4 + r.length + 8)
                    .putInt(p.groupSize).put((byte) (p.done ? 1 : 0))
                    .putInt(s.length).put(s).putInt(r.length).put(r).putLong(p.since).array();
        };
        Deserializer<GroupProgress> deserializer = (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                ByteBuffer in = ByteBuffer.wrap(bytes);
                int g = in.getInt();
                boolean isDone = in.get() == 1;
                byte[] s = new byte[in.getInt()];
                in.get(s);
                byte[] r = new byte[in.getInt()];
                in.get(r);
                // Stores written before the timeout existed end here; such groups count from time 0.
                long since = in.remaining() >= 8 ? in.getLong() : 0L;
                return new GroupProgress(g, BitSet.valueOf(s), BitSet.valueOf(r), isDone, since);
            } catch (RuntimeException e) {
                throw new SerializationException("cannot read group progress from " + bytes.length + " bytes", e);
            }
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
