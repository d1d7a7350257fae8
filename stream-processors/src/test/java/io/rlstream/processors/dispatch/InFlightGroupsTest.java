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

    @Test
    void aSavedStateRestoresTheSameCountsAsTheWholeHistory() {
        // History: p dispatched 3 times (t = 0, 100, 200), q twice (t = 50, 3000); q's first given up
        // on at t = 1100 (timeout 1000). The stats say p resolved 2, q none.
        InFlightGroups history = new InFlightGroups(1000);
        history.dispatched("p-0", "p", 0);
        history.dispatched("q-0", "q", 50);
        history.dispatched("p-1", "p", 100);
        history.dispatched("p-2", "p", 200);
        history.dispatched("q-1", "q", 3000);
        history.promptResolved("p", 2, 1);
        // at t = 1100: q-0 is 1050 ms old, lost; p-0 and p-1 count as resolved; p-2 is 900 ms old
        assertEquals(1, history.expire(1100));
        InFlightGroups.Saved saved = history.saved();
        // by hand: 5 dispatched; in flight p's 3rd (ordinal 2, t = 200) and q's 2nd (ordinal 1, t = 3000)
        assertEquals(5, saved.dispatched());
        assertEquals(java.util.Map.of("p", 3L, "q", 2L), saved.dispatchedByPrompt());
        assertEquals(java.util.Map.of("q", 1L), saved.lostByPrompt());
        assertEquals(java.util.List.of(new InFlightGroups.Pending("p", 2, 200), new InFlightGroups.Pending("q", 1, 3000)),
                saved.inFlight());

        // a restart: the saved dispatch side, then the stats as rl.prompt-stats has them
        InFlightGroups restored = new InFlightGroups(1000);
        restored.restore(saved);
        restored.promptResolved("p", 2, 1);
        for (InFlightGroups g : java.util.List.of(history, restored)) {
            assertEquals(5, g.dispatched());
            assertEquals(2, g.completed());
            assertEquals(1, g.accepted());
            assertEquals(1, g.lost());
            assertEquals(2, g.inFlight());
            assertTrue(g.inFlight("p"));
            assertTrue(g.inFlight("q"));
        }
        // the timeout goes on where it was: p's 3rd at t >= 1200, q's 2nd at t >= 4000
        assertEquals(1, restored.expire(1200));
        assertEquals(1, restored.inFlight());
        assertEquals(1, restored.expire(4000));
        assertEquals(3, restored.lost());
        // q's first comes after all: taken back from lost, as without a restart
        restored.promptResolved("q", 1, 1);
        assertEquals(2, restored.lost());
    }
}
