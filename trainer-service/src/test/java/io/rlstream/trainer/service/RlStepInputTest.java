package io.rlstream.trainer.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rlstream.events.ScoredSample;
import io.rlstream.events.TrainingBatchGroup;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RlStepInputTest {

    @Test
    void theStalenessHistogramCountsSamplesByVersionsBehindTheWeightsTrained() {
        // training version 10 on samples of versions 10, 10, 9, 7, 1 and 0: staleness 0, 0, 1, 3, 9, 10
        List<TrainingBatchGroup> batch = new ArrayList<>();
        for (long[] versions : new long[][] {{10, 10, 9}, {7, 1, 0}}) {
            TrainingBatchGroup g = TestBatches.batch("b", 0).get(0);
            List<ScoredSample> samples = new ArrayList<>();
            for (long v : versions) {
                samples.add(ScoredSample.newBuilder(g.getSamples().get(0)).setPolicyVersion(v).build());
            }
            batch.add(TrainingBatchGroup.newBuilder(g).setSamples(samples).build());
        }
        // buckets 0..7, then 8 or more: {2, 1, 0, 1, 0, 0, 0, 0, 2}
        assertArrayEquals(new long[] {2, 1, 0, 1, 0, 0, 0, 0, 2}, RlStepInput.stalenessHistogram(batch, 10));
        assertEquals("trainer.staleness_0", RlStepInput.stalenessBucket(0).name());
        assertEquals("trainer.staleness_8plus", RlStepInput.stalenessBucket(8).name());
        assertEquals("staleness_8plus", RlStepInput.stalenessBucket(8).localName(), "the checkpoint's name for it");
    }
}
