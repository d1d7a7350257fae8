package io.rlstream.processors.curriculum;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** A set of ids with O(1) add, remove and uniform random draw (swap-with-last removal). */
final class RandomAccessSet {

    private final List<String> ids = new ArrayList<>();
    private final Map<String, Integer> index = new HashMap<>();

    boolean add(String id) {
        if (index.containsKey(id)) {
            return false;
        }
        index.put(id, ids.size());
        ids.add(id);
        return true;
    }

    boolean remove(String id) {
        Integer at = index.remove(id);
        if (at == null) {
            return false;
        }
        String last = ids.remove(ids.size() - 1);
        if (at < ids.size()) {
            ids.set(at, last);
            index.put(last, at);
        }
        return true;
    }

    boolean contains(String id) {
        return index.containsKey(id);
    }

    String draw(Random random) {
        return ids.get(random.nextInt(ids.size()));
    }

    int size() {
        return ids.size();
    }

    boolean isEmpty() {
        return ids.isEmpty();
    }
}
