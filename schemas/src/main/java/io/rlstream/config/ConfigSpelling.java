package io.rlstream.config;

/**
 * An enum constant whose configuration spelling is not its name lower-cased with '_' as '-'
 * (see {@link EnumSetting}); implement it only where the spelling users type differs.
 */
public interface ConfigSpelling {

    /** The value a setting takes to choose this constant. */
    String configName();
}
