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
 * so that late duplicates of the group are recognised and ignored.
 *
 * <p>Immutable: the update methods return copies.
 */
record GroupProgress(int groupSize, BitSet seen, BitSet resolved, boolean done) {

    GroupProgress {
        seen = (BitSet) seen.clone();
        resolved = (BitSet) resolved.clone();
    }

    static GroupProgress start(int groupSize) {
        return new GroupProgress(groupSize, new BitSet(), new BitSet(), false);
    }

    /** The marker left behind when a group completed; its samples are gone from the stores. */
    static GroupProgress finished(int groupSize) {
        return new GroupProgress(groupSize, new BitSet(), new BitSet(), true);
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
        return new GroupProgress(groupSize, s, r, done);
    }

    GroupProgress resolve(int index) {
        return withSample(index, true);
    }

    boolean complete() {
        return resolved.cardinality() == groupSize;
    }

    /** Compact binary serde for the progress store: G, done flag, then both bit sets. */
    static Serde<GroupProgress> serde() {
        Serializer<GroupProgress> serializer = (topic, p) -> {
            if (p == null) {
                return null;
            }
            byte[] s = p.seen.toByteArray();
            byte[] r = p.resolved.toByteArray();
            return ByteBuffer.allocate(4 + 1 + 4 + s.length + 4 + r.length)
                    .putInt(p.groupSize).put((byte) (p.done ? 1 : 0))
                    .putInt(s.length).put(s).putInt(r.length).put(r).array();
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
                return new GroupProgress(g, BitSet.valueOf(s), BitSet.valueOf(r), isDone);
            } catch (RuntimeException e) {
                throw new SerializationException("cannot read group progress from " + bytes.length + " bytes", e);
            }
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
