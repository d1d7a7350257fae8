package io.rlstream.processors.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TrainerLagGateTest {

    private final TrainerLagGate gate = new TrainerLagGate(1, new InFlightBudget(32));

    @Test
    void admitsWhatTheInnerPolicyAdmitsWhileTheTrainerKeepsUp() {
        // 10 batches written, policy v9: one batch waits, which is allowed; 32 - (40 - 30) = 22 free.
        assertEquals(22, gate.admissible(new DispatchState(40, 30, 9, 10)));
    }

    @Test
    void holdsWhileMoreBatchesWaitThanAllowed() {
        // 12 written, v9: 3 batches wait for the trainer > 1, so nothing is dispatched however free the generators are.
        assertEquals(0, gate.admissible(new DispatchState(40, 40, 9, 12)));
    }

    @Test
    void reopensOnceTheTrainerCatchesUp() {
        assertEquals(0, gate.admissible(new DispatchState(40, 40, 9, 11)));
        assertEquals(32, gate.admissible(new DispatchState(40, 40, 10, 11)));
    }

    @Test
    void zeroMeansNoBatchMayWait() {
        TrainerLagGate strict = new TrainerLagGate(0, new InFlightBudget(8));
        assertEquals(0, strict.admissible(new DispatchState(0, 0, 4, 5)));
        assertEquals(8, strict.admissible(new DispatchState(0, 0, 5, 5)));
        assertThrows(IllegalArgumentException.class, () -> new TrainerLagGate(-1, new InFlightBudget(8)));
    }
}
