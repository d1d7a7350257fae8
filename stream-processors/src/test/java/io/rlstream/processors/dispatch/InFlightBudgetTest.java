package io.rlstream.processors.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class InFlightBudgetTest {

    private final InFlightBudget budget = new InFlightBudget(32);

    @Test
    void admitsUpToTheCapAtStart() {
        assertEquals(32, budget.admissible(new DispatchState(0, 0, 0, 0)));
    }

    @Test
    void admitsWhatIsFreeUnderTheCap() {
        // 40 dispatched, 20 completed -> 20 in flight -> 32 - 20 = 12 free
        assertEquals(12, budget.admissible(new DispatchState(40, 20, 3, 0)));
    }

    @Test
    void admitsNothingAtOrOverTheCap() {
        assertEquals(0, budget.admissible(new DispatchState(32, 0, 0, 0)));
        assertEquals(0, budget.admissible(new DispatchState(50, 10, 0, 0)));
    }

    @Test
    void neverAdmitsMoreThanTheCap() {
        // more completions than dispatches (groups of an earlier dispatcher): still at most the cap
        assertEquals(32, budget.admissible(new DispatchState(5, 9, 0, 0)));
    }

    @Test
    void rejectsANonPositiveCap() {
        assertThrows(IllegalArgumentException.class, () -> new InFlightBudget(0));
    }
}
