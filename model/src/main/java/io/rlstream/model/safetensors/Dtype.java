package io.rlstream.model.safetensors;

/**
 * Element types of the safetensors format, in the order of the reference implementation's
 * {@code Dtype} enum (huggingface/safetensors, safetensors/src/tensor.rs), which is increasing
 * alignment: the writer sorts tensors by this order descending, then by name, as the reference
 * does, so that every tensor's data is aligned to its element size.
 */
public enum Dtype {
    BOOL(1), U8(1), I8(1), F8_E5M2(1), F8_E4M3(1), I16(2), U16(2), F16(2), BF16(2),
    I32(4), U32(4), F32(4), F64(8), I64(8), U64(8);

    private final int size;

    Dtype(int size) {
        this.size = size;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    /** Whether {@link SafetensorsFile#floats} converts this type to fp32. */
    public boolean isFloatingPoint() {
        return this == F16 || this == BF16 || this == F32 || this == F64;
    }

    /** The dtype named {@code name} in a header, or null when the format has no such name. */
    static Dtype parse(String name) {
        for (Dtype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }
}
