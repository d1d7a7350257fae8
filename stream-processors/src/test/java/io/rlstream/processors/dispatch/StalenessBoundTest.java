package io.rlstream.processors.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** AReaL's rule (η + v + 1)·B − (accepted + in flight), worked by hand, under an in-flight cap. */
class StalenessBoundTest {

    private static final int B = 16;

    @Test
    void synchronousTrainingDispatchesOneBatchThenWaitsForTheTrainer() {
        StalenessBound sync = new StalenessBound(0, B, new InFlightBudget(1000));
        // nothing trained (v = 0), nothing dispatched: (0 + 0 + 1) * 16 - 0 = 16
        assertEquals(16, sync.admissible(new DispatchState(0, 0, 0, 0, 0, 0)));
        // 16 in flight: 16 - 16 = 0
        assertEquals(0, sync.admissible(new DispatchState(16, 0, 0, 0, 0, 0)));
        // all 16 resolved, 10 kept, 6 dropped by dynamic sampling: 16 - 10 = 6 more for the batch
        assertEquals(6, sync.admissible(new DispatchState(16, 16, 0, 0, 10, 0)));
        // a full batch accepted and written, not yet trained: 16 - 16 = 0 (the generators wait)
        assertEquals(0, sync.admissible(new DispatchState(22, 22, 0, 1, 16, 0)));
        // trained (v = 1): (0 + 1 + 1) * 16 - 16 = 16, the next batch
        assertEquals(16, sync.admissible(new DispatchState(22, 22, 1, 1, 16, 0)));
    }

    @Test
    void etaLetsGenerationRunThatManyBatchesAheadOfTraining() {
        StalenessBound async = new StalenessBound(2, B, new InFlightBudget(1000));
        // v = 3, 70 accepted, 5 in flight: (2 + 3 + 1) * 16 - (70 + 5) = 96 - 75 = 21
        DispatchState s = new DispatchState(100, 95, 3, 4, 70, 0);
        assertEquals(21, async.budget(s));
        assertEquals(21, async.admissible(s));
        // over budget: (2 + 3 + 1) * 16 - (90 + 20) = -14 -> 0, never negative
        assertEquals(-14, async.budget(new DispatchState(130, 110, 3, 5, 90, 0)));
        assertEquals(0, async.admissible(new DispatchState(130, 110, 3, 5, 90, 0)));
    }

    @Test
    void lostGenerationsFreeTheirBudgetAndTheCapStillHolds() {
        StalenessBound bound = new StalenessBound(1, B, new InFlightBudget(8));
        // 20 dispatched, 4 resolved (4 kept), 12 given up on: in flight 4; (1 + 0 + 1) * 16 - (4 + 4) = 24,
        // but the in-flight cap of 8 leaves 8 - 4 = 4
        DispatchState s = new DispatchState(20, 4, 0, 0, 4, 12);
        assertEquals(4, s.inFlight());
        assertEquals(24, bound.budget(s));
        assertEquals(4, bound.admissible(s));
        assertThrows(IllegalArgumentException.class, () -> new StalenessBound(-1, B, new InFlightBudget(8)));
        assertThrows(IllegalArgumentException.class, () -> new StalenessBound(0, 0, new InFlightBudget(8)));
    }

    @Test
    void theSettingsChooseTheRule() {
        DispatchSettings lag = new DispatchSettings(8, 64, 1f, 5, 1, 1);
        DispatchSettings areal = new DispatchSettings(8, 64, 1f, 5, 1, 1, 0, B, 600_000);
        assertEquals(TrainerLagGate.class, lag.admission().getClass());
        assertEquals(StalenessBound.class, areal.admission().getClass());
        // v = 2 with 4 batches written: 2 wait, the lag gate (at most 1) holds; the bound with eta 0 holds
        // too, (0 + 2 + 1) * 16 - 48 = 0
        DispatchState s = new DispatchState(48, 48, 2, 4, 48, 0);
        assertEquals(0, lag.admission().admissible(s));
        assertEquals(0, areal.admission().admissible(s));
    }
}
