package io.rlstream.producers.serve;

/**
 * A request the server refuses: the HTTP status and the reason, rendered in the protocol's error
 * shape by {@link InferenceServer} (OpenAI's {@code {"error": {"message", "type", "code"}}} on the
 * vLLM endpoints, SGLang's {@code {"error": {"message"}}} on /generate).
 */
final class ApiException extends RuntimeException {

    private final int status;

    ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    int status() {
        return status;
    }

    /** OpenAI's error type for the status (vLLM's ErrorResponse uses the same names). */
    String type() {
        return switch (status) {
            case 400 -> "BadRequestError";
            case 404 -> "NotFoundError";
            case 405 -> "MethodNotAllowedError";
            default -> "InternalServerError";
        };
    }
}
