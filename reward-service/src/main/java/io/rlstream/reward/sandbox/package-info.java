/**
 * Running untrusted Python (a policy's program and a prompt's tests) so that nothing it does can
 * stop the reward service or reach other files: {@link io.rlstream.reward.sandbox.PythonSandbox}
 * with its {@link io.rlstream.reward.sandbox.SandboxLimits}, reporting a
 * {@link io.rlstream.reward.sandbox.SandboxResult}. The layers, and which of them this machine
 * has, are described in {@link io.rlstream.reward.sandbox.PythonSandbox} and
 * {@link io.rlstream.reward.sandbox.SandboxIsolation}.
 */
package io.rlstream.reward.sandbox;
