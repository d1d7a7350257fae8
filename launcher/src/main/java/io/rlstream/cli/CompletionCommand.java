package io.rlstream.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code rlstream completion}: a bash completion script for every command and its flags, generated
 * by picocli from the same command tree that parses them; zsh loads it through bashcompinit.
 */
@Command(name = "completion", description = {"Print a bash/zsh completion script for rlstream's commands and flags.",
        "bash: source <(bin/rlstream completion); zsh: autoload -U +X bashcompinit && bashcompinit, then the same.",
        "To keep it: bin/rlstream completion > ~/.local/share/bash-completion/completions/rlstream."})
final class CompletionCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;
    @Spec
    CommandSpec spec;

    private final Terminal terminal;

    CompletionCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        terminal.out().print(AutoComplete.bash("rlstream", spec.parent().commandLine()));
        terminal.out().flush();
        return 0;
    }
}
