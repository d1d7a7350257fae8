package io.rlstream.reward.verify;

import java.util.List;

/** The verifiers by name, so that configuration picks one. */
public final class Verifiers {

    private Verifiers() {
    }

    public static List<String> names() {
        return List.of(NumericExactMatch.NAME);
    }

    public static Verifier byName(String name, double correct, double incorrect) {
        if (NumericExactMatch.NAME.equals(name)) {
            return new NumericExactMatch(correct, incorrect);
        }
        throw new IllegalArgumentException("unknown verifier '" + name + "'; known: " + names());
    }
}
