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

    private final Map<String, Map<Integer, Held>> open = new LinkedHashMap<>();

    /** A complete batch: its records in group order and the offset each was read at. */
    record Batch(List<TrainingBatchGroup> groups, List<Long> offsets) {
    }

    private record Held(TrainingBatchGroup record, long offset) {
    }

    /** Adds a record; returns the batch's groups in order once the batch is complete. */
    Optional<List<TrainingBatchGroup>> add(TrainingBatchGroup record) {
        return add(record, -1).map(Batch::groups);
    }

    /** Adds a record read at {@code offset}; returns the batch once it is complete. */
    Optional<Batch> add(TrainingBatchGroup record, long offset) {
        Map<Integer, Held> groups = open.computeIfAbsent(record.getBatchId(), id -> new LinkedHashMap<>());
        groups.putIfAbsent(record.getGroupIndex(), new Held(record, offset));
        if (groups.size() < record.getBatchGroups()) {
            return Optional.empty();
        }
        open.remove(record.getBatchId());
        List<Held> ordered = new ArrayList<>(groups.values());
        ordered.sort((a, b) -> Integer.compare(a.record().getGroupIndex(), b.record().getGroupIndex()));
        return Optional.of(new Batch(ordered.stream().map(Held::record).toList(),
                ordered.stream().map(Held::offset).toList()));
    }

    boolean hasOpenBatch() {
        return !open.isEmpty();
    }
}
