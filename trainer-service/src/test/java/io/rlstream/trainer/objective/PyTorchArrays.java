package io.rlstream.trainer.objective;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the objective tests that compute on DJL arrays: a fresh PyTorch {@link NDManager} per
 * test method, closed after it, so no array (or gradient) outlives the test that made it.
 */
public abstract class PyTorchArrays {

    protected NDManager manager;

    @BeforeEach
    void openManager() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }
}
