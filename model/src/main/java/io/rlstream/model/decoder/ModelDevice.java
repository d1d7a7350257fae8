package io.rlstream.model.decoder;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;

/**
 * Where a {@link DecoderModel}'s parameters and arrays live: the setting {@code model.device}
 * ({@value #PROPERTY} as a system property, or the environment variable {@value #ENV}; the
 * property wins), one of {@code cpu} (the default), {@code gpu} or {@code auto} (the first GPU if
 * the PyTorch engine sees one, else the CPU).
 *
 * <p>The default is the CPU even where a GPU is present: DJL's own default device is the first
 * GPU whenever the engine sees one, which would move a model silently; the project's CPU
 * settings (one PyTorch thread, model/README.md) were measured for the CPU. A GPU needs a CUDA
 * build of libtorch (docs/operations.md#gpu): with the CPU native of the default build the engine
 * sees none, and {@code gpu} fails with {@link IllegalStateException} saying so.
 */
public enum ModelDevice {
    CPU,
    GPU,
    AUTO;

    /** The system property of the setting. */
    public static final String PROPERTY = "rlstream.model.device";
    /** The environment variable of the setting (the launcher's RLSTREAM_&lt;KEY&gt; convention). */
    public static final String ENV = "RLSTREAM_MODEL_DEVICE";

    /** {@code cpu}, {@code gpu} or {@code auto} (any case); {@link IllegalArgumentException} otherwise. */
    public static ModelDevice parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "cpu" -> CPU;
            case "gpu" -> GPU;
            case "auto" -> AUTO;
            default -> throw new IllegalArgumentException("model.device must be cpu, gpu or auto, got '" + text + "'");
        };
    }

    /** The configured setting: the system property, else the environment variable, else {@code cpu}. */
    public static ModelDevice configured() {
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return parse(property);
        }
        String env = System.getenv(ENV);
        return env == null || env.isBlank() ? CPU : parse(env);
    }

    /** The device this setting picks given what {@code engine} sees. */
    public Device resolve(Engine engine) {
        return resolve(engine.getGpuCount(), engine.getEngineName() + " " + engine.getVersion());
    }

    /**
     * The device this setting picks given the number of GPUs the engine sees.
     *
     * @throws IllegalStateException for {@code gpu} when there is none
     */
    Device resolve(int gpuCount, String engineDescription) {
        return switch (this) {
            case CPU -> Device.cpu();
            case AUTO -> gpuCount > 0 ? Device.gpu() : Device.cpu();
            case GPU -> {
                if (gpuCount <= 0) {
                    throw new IllegalStateException("model.device is gpu but the engine (" + engineDescription
                            + ") sees no GPU: run with a CUDA build of libtorch (PYTORCH_LIBRARY_PATH, "
                            + "PYTORCH_VERSION, PYTORCH_FLAVOR; docs/operations.md#gpu), or set model.device "
                            + "to cpu or auto");
                }
                yield Device.gpu();
            }
        };
    }

    /** The setting's value as written in configuration: {@code cpu}, {@code gpu} or {@code auto}. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
