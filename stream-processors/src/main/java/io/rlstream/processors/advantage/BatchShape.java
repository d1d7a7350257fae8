package io.rlstream.processors.advantage;

import java.util.ArrayList;
import java.util.List;

/** Checks that a batch stage got one advantage array per group and one advantage per sample. */
final class BatchShape {

    private BatchShape() {
    }

    static void requireMatching(List<GroupRewards> groups, List<float[]> advantages) {
        if (groups.size() != advantages.size()) {
            throw new IllegalArgumentException("a batch needs one advantage array per group, got "
                    + groups.size() + " groups and " + advantages.size() + " advantage arrays");
        }
        for (int k = 0; k < groups.size(); k++) {
            if (groups.get(k).size() != advantages.get(k).length) {
                throw new IllegalArgumentException("group " + k + " of the batch has " + groups.get(k).size()
                        + " samples but " + advantages.get(k).length + " advantages; pass the group stage's output");
            }
        }
    }

    /** Fresh arrays with the same values, so a batch stage never hands back (or changes) its input. */
    static List<float[]> copy(List<float[]> advantages) {
        List<float[]> out = new ArrayList<>(advantages.size());
        for (float[] a : advantages) {
            out.add(a.clone());
        }
        return out;
    }
}
