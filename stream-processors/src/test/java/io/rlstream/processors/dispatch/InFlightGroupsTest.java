package io.rlstream.processors.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class InFlightGroupsTest {

    @Test
    void groupCompletesWhenEveryRolloutHasAReward() {
        InFlightGroups groups = new InFlightGroups();
        groups.dispatched("g", 3);
        assertFalse(groups.rewarded("g", "g/0"));
        assertFalse(groups.rewarded("g", "g/0")); // the same rollout scored twice counts once
        assertFalse(groups.rewarded("g", "g/1"));
        assertTrue(groups.rewarded("g", "g/2"));
        assertEquals(1, groups.dispatched());
        assertEquals(1, groups.completed());
        assertEquals(0, groups.inFlight());
        assertFalse(groups.rewarded("g", "g/2")); // late duplicate after completion: ignored
        assertEquals(1, groups.completed());
    }

    @Test
    void unknownGroupsAndCancelledSendsDoNotCount() {
        InFlightGroups groups = new InFlightGroups();
        assertFalse(groups.rewarded("other", "other/0"));
        groups.dispatched("a", 1);
        groups.dispatched("a", 1);
        groups.dispatched("b", 1);
        groups.cancelled("b");
        assertEquals(1, groups.dispatched());
        assertEquals(1, groups.inFlight());
    }
}
