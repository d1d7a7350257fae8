package io.rlstream.processors.filter;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StalenessFilterTest {

    @Test
    void keepsTheLastEtaVersionsAndDropsOlderOnes() {
        // η = 2, current version 10: stale iff v < 10 − 2 = 8
        StalenessFilter filter = new StalenessFilter(2);
        assertFalse(filter.isStale(10, 10), "current version");
        assertFalse(filter.isStale(9, 10), "one behind");
        assertFalse(filter.isStale(8, 10), "exactly η behind is still accepted");
        assertTrue(filter.isStale(7, 10), "η + 1 behind");
        assertTrue(filter.isStale(0, 10));
    }

    @Test
    void etaZeroAcceptsOnlyTheCurrentVersion() {
        // synchronous training: stale iff v < 5 − 0
        StalenessFilter filter = new StalenessFilter(0);
        assertFalse(filter.isStale(5, 5));
        assertTrue(filter.isStale(4, 5));
    }

    @Test
    void samplesFromANewerVersionThanTheFilterKnowsAreNotStale() {
        // the filter may learn of checkpoint 6 after samples of version 6 arrive
        assertFalse(new StalenessFilter(0).isStale(6, 5));
    }

    @Test
    void unknownCurrentVersionMakesNothingStale() {
        // −1: no checkpoint seen yet; the filter cannot tell, so it keeps everything
        StalenessFilter filter = new StalenessFilter(0);
        assertFalse(filter.isStale(0, -1));
        assertFalse(filter.isStale(-1, -1));
    }

    @Test
    void unknownSampleVersionIsStaleOnceTheTrainerIsMoreThanEtaPastVersionZero() {
        // the rule as written: −1 < current − η
        StalenessFilter filter = new StalenessFilter(2);
        assertFalse(filter.isStale(-1, 1), "−1 < 1 − 2 = −1 is false");
        assertTrue(filter.isStale(-1, 2), "−1 < 2 − 2 = 0");
    }

    @Test
    void negativeEtaSwitchesTheFilterOff() {
        assertFalse(StalenessFilter.off().enabled());
        assertFalse(StalenessFilter.off().isStale(0, 1_000_000));
        assertFalse(new StalenessFilter(-5).isStale(0, 1_000_000));
        assertTrue(new StalenessFilter(0).enabled());
    }

    @Test
    void largeVersionsDoNotOverflow() {
        // Long.MAX_VALUE − 3 is computed in long arithmetic
        StalenessFilter filter = new StalenessFilter(3);
        assertFalse(filter.isStale(Long.MAX_VALUE - 3, Long.MAX_VALUE));
        assertTrue(filter.isStale(Long.MAX_VALUE - 4, Long.MAX_VALUE));
        assertFalse(new StalenessFilter(Integer.MAX_VALUE).isStale(0, Integer.MAX_VALUE));
    }
}
