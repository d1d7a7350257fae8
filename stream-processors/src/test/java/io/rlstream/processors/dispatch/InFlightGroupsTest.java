package io.rlstream.processors.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class InFlightGroupsTest {

    @Test
    void resolvedIsTheSumOfTheLatestGroupCountOfEveryPrompt() {
        InFlightGroups groups = new InFlightGroups();
        for (String g : new String[] {"g0", "g1", "g2", "g3"}) {
            groups.dispatched(g);
        }
        groups.promptResolved("p", 1);
        groups.promptResolved("q", 1);
        groups.promptResolved("p", 2); // p's newest stats: 2 groups in total, not 1 + 2
        assertEquals(4, groups.dispatched());
        assertEquals(3, groups.completed());
        assertEquals(1, groups.inFlight());
    }

    @Test
    void repeatedIdsAndCancelledSendsDoNotCountAndInFlightNeverGoesNegative() {
        InFlightGroups groups = new InFlightGroups();
        groups.dispatched("a");
        groups.dispatched("a");
        groups.dispatched("b", "p", 0);
        groups.cancelled("b", "p");
        assertEquals(1, groups.dispatched());
        groups.promptResolved("p", 5);
        assertEquals(0, groups.inFlight());
    }

    @Test
    void acceptedIsTheSumOfTheLatestKeptCounts() {
        InFlightGroups groups = new InFlightGroups();
        groups.promptResolved("p", 2, 1);
        groups.promptResolved("q", 3, 3);
        groups.promptResolved("p", 4, 2);
        assertEquals(7, groups.completed()); // p 4 + q 3, the latest of each
        assertEquals(5, groups.accepted());
    }

    @Test
    void aGroupWithNoTraceIsGivenUpOnAfterTheTimeoutAndTakenBackIfItCompletes() {
        // timeout 1000 ms: p's two groups go at t = 0 and 500, q's at t = 200
        InFlightGroups groups = new InFlightGroups(1000);
        groups.dispatched("p-0", "p", 0);
        groups.dispatched("q-0", "q", 200);
        groups.dispatched("p-1", "p", 500);
        assertEquals(0, groups.expire(999));
        groups.promptResolved("q", 1, 1); // q's group completed in time
        // at t = 1200 p's first group is 1200 ms old: lost; q's resolved; p's second is 700 ms old
        assertEquals(1, groups.expire(1200));
        assertEquals(1, groups.lost());
        assertEquals(1, groups.inFlight());
        assertTrue(groups.inFlight("p"));
        assertEquals(1, groups.expire(1500)); // and p's second at t = 1500
        assertEquals(0, groups.inFlight());
        assertFalse(groups.inFlight("p"));
        // p's first group shows up after all: one of the lost is taken back, nothing goes negative
        groups.promptResolved("p", 1, 0);
        assertEquals(1, groups.lost());
        assertEquals(0, groups.inFlight());
        assertEquals(0, groups.expire(10_000));
    }
}
