package io.rlstream.reward.verify;

import java.time.Duration;

/**
 * Settings of the {@code remote} verifier ({@link RemoteRewardClient}).
 *
 * @param url        the endpoint; blank when another verifier is used
 * @param authHeader the header that carries the token, e.g. {@code Authorization}
 * @param token      the secret; sent as {@code Bearer <token>} in {@code Authorization}, as is in any
 *                   other header; blank sends no header
 * @param batchSize  most responses in one request
 * @param linger     how long the reward service waits for a batch to fill before sending what it has
 * @param timeout    the time limit of one request
 * @param attempts   attempts per batch (connection errors, time-outs and 5xx retried)
 */
public record RemoteSettings(String url, String authHeader, String token, int batchSize, Duration linger,
        Duration timeout, int attempts) {

    /** No endpoint; batches of 16, 100 ms linger, 30 s per request, 3 attempts. */
    public static RemoteSettings none() {
        return new RemoteSettings("", "Authorization", "", 16, Duration.ofMillis(100), Duration.ofSeconds(30), 3);
    }
}
