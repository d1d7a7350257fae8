package io.rlstream.trainer.service;

import io.rlstream.events.TrainingBatchGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Gathers the records of a training batch (one scored group each) until all {@code batch_groups}
 * of them are there. A batch is committed in one transaction, so a read_committed consumer sees
 * its records together; a group_index seen twice (a replayed record) counts once.
 */
final class BatchCollector {

    private final Map<String, Map<Integer, TrainingBatchGroup>> open = new LinkedHashMap<>();

    /** Adds a record; returns the batch's groups in order once the batch is complete. */
    Optional<List<TrainingBatchGroup>> add(TrainingBatchGroup record) {
        Map<Integer, TrainingBatchGroup> groups = open.computeIfAbsent(record.getBatchId(), id -> new LinkedHashMap<>());
        groups.putIfAbsent(record.getGroupIndex(), record);
        if (groups.size() < record.getBatchGroups()) {
            return Optional.empty();
        }
        open.remove(record.getBatchId());
        List<TrainingBatchGroup> ordered = new ArrayList<>(groups.values());
        ordered.sort((a, b) -> Integer.compare(a.getGroupIndex(), b.getGroupIndex()));
        return Optional.of(ordered);
    }

    boolean hasOpenBatch() {
        return !open.isEmpty();
    }
}
