package io.rlstream.cli;

import io.rlstream.ops.RlstreamServiceProcess;

/**
 * For the tests that start many short-lived service processes (ChaosIT, BrokerChaosIT): while
 * open, services start with C1 alone ({@code -XX:TieredStopAtLevel=1}). C1 compiles what a JVM
 * living a minute or two runs at a fraction of C2's CPU, which the other JVMs need on a small CI
 * machine (paired runs of ChaosIT on 2 cores: 112 s with C1 alone, 146 s with C2). Options given
 * to the test JVM ({@code -Drlstream.service.jvmOptions=...}) are used as they are; closing
 * restores the property as it was.
 */
final class C1ServiceJvms implements AutoCloseable {

    private final String given;

    private C1ServiceJvms() {
        given = System.getProperty(RlstreamServiceProcess.JVM_OPTIONS_PROPERTY);
        System.setProperty(RlstreamServiceProcess.JVM_OPTIONS_PROPERTY, given != null ? given
                : RlstreamServiceProcess.DEFAULT_JVM_OPTIONS + " -XX:TieredStopAtLevel=1");
    }

    static C1ServiceJvms open() {
        return new C1ServiceJvms();
    }

    @Override
    public void close() {
        if (given == null) {
            System.clearProperty(RlstreamServiceProcess.JVM_OPTIONS_PROPERTY);
        } else {
            System.setProperty(RlstreamServiceProcess.JVM_OPTIONS_PROPERTY, given);
        }
    }
}
