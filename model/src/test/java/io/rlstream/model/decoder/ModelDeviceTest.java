package io.rlstream.model.decoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.rlstream.model.hf.DecoderArchitecture;
import io.rlstream.model.hf.DecoderConfig;
import org.junit.jupiter.api.Test;

/** The model.device setting: its values, what each picks, and the error where no GPU is seen. */
class ModelDeviceTest {

    @Test
    void parsesTheThreeValuesInAnyCaseAndRejectsOthersByName() {
        assertEquals(ModelDevice.CPU, ModelDevice.parse("cpu"));
        assertEquals(ModelDevice.GPU, ModelDevice.parse(" GPU "));
        assertEquals(ModelDevice.AUTO, ModelDevice.parse("Auto"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelDevice.parse("cuda"));
        assertEquals("model.device must be cpu, gpu or auto, got 'cuda'", e.getMessage());
    }

    @Test
    void cpuAlwaysPicksTheCpuAndAutoTheGpuOnlyWhenOneIsSeen() {
        assertEquals(Device.cpu(), ModelDevice.CPU.resolve(2, "test"));
        assertEquals(Device.cpu(), ModelDevice.AUTO.resolve(0, "test"));
        assertEquals(Device.gpu(), ModelDevice.AUTO.resolve(1, "test"));
        assertEquals(Device.gpu(), ModelDevice.GPU.resolve(1, "test"));
    }

    @Test
    void gpuWithoutOneIsAClearErrorNamingTheFix() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ModelDevice.GPU.resolve(0, "PyTorch 2.7.1"));
        assertTrue(e.getMessage().startsWith("model.device is gpu but the engine (PyTorch 2.7.1) sees no GPU"),
                e.getMessage());
        assertTrue(e.getMessage().contains("PYTORCH_LIBRARY_PATH"), e.getMessage());
    }

    @Test
    void theSystemPropertyChoosesTheDeviceOfNewModels() {
        DecoderGoldenTest.oneThread();
        String before = System.getProperty(ModelDevice.PROPERTY);
        try {
            System.setProperty(ModelDevice.PROPERTY, "auto");
            assertEquals(ModelDevice.AUTO, ModelDevice.configured());
            DecoderConfig config = DecoderConfig.of(DecoderArchitecture.LLAMA, 32, 16, 32, 1, 2, 2, true);
            boolean gpu = Engine.getEngine("PyTorch").getGpuCount() > 0;
            try (DecoderModel m = DecoderModel.create(config, 1)) {
                assertEquals(gpu ? Device.gpu() : Device.cpu(), m.device());
            }
            System.setProperty(ModelDevice.PROPERTY, "gpu");
            if (!gpu) {
                // the default build's CPU native: a clear error, not a crash
                assertThrows(IllegalStateException.class, () -> DecoderModel.create(config, 1));
            }
            System.setProperty(ModelDevice.PROPERTY, "cpu");
            try (DecoderModel m = DecoderModel.create(config, 1)) {
                assertEquals(Device.cpu(), m.device());
            }
        } finally {
            if (before == null) {
                System.clearProperty(ModelDevice.PROPERTY);
            } else {
                System.setProperty(ModelDevice.PROPERTY, before);
            }
        }
    }
}
