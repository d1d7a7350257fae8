package io.rlstream.model.safetensors;

import java.io.IOException;

/** A safetensors file or index that is malformed; the message names the file and the tensor. */
public class SafetensorsFormatException extends IOException {

    public SafetensorsFormatException(String message) {
        super(message);
    }

    public SafetensorsFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
