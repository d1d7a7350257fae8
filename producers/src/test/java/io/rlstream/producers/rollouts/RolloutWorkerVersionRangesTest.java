package io.rlstream.producers.rollouts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.TreeSet;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The versions a worker names when their folders are gone: short runs as ranges, a long history cut in the middle. */
class RolloutWorkerVersionRangesTest {

    @Test
    void consecutiveVersionsAreOneRange() {
        assertEquals("1-3, 5, 7-8", RolloutWorker.versionRanges(new TreeSet<>(List.of(8L, 1L, 2L, 3L, 5L, 7L))));
        assertEquals("4", RolloutWorker.versionRanges(new TreeSet<>(List.of(4L))));
        // 100000 announcements of one run (ManyInstancesLongIT keeps that many) are one range, not 100000 numbers
        assertEquals("1-100000", RolloutWorker.versionRanges(new TreeSet<>(LongStream.rangeClosed(1, 100_000).boxed().toList())));
    }

    @Test
    void manyRangesShowTheFirstAndLastFive() {
        // the odd numbers 1..23: 12 single ranges, written out by hand: first five, the 2 left out, last five
        TreeSet<Long> odd = new TreeSet<>(LongStream.rangeClosed(0, 11).map(i -> 2 * i + 1).boxed().toList());
        assertEquals("1, 3, 5, 7, 9, (2 more ranges), 15, 17, 19, 21, 23", RolloutWorker.versionRanges(odd));
    }
}
