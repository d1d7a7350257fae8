package io.rlstream.processors.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        groups.dispatched("b");
        groups.cancelled("b");
        assertEquals(1, groups.dispatched());
        groups.promptResolved("p", 5);
        assertEquals(0, groups.inFlight());
    }
}
