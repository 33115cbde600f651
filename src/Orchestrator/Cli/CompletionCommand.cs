using System.CommandLine;

namespace Orchestrator.Cli;

/// <summary>
/// <c>orchestrator completion bash|zsh|fish</c>: a script for the shell that asks the program itself what may come next
/// through System.CommandLine's <c>[suggest:POSITION]</c> directive (<c>orchestrator "[suggest:14]" "orchestrator runs "</c>
/// prints the candidates, one a line), so the candidates always match the installed version. No <c>dotnet-suggest</c>.
/// </summary>
public static class CompletionCommand
{
    public static Command Build(CliContext context)
    {
        var shell = Options.Arg("SHELL", "bash, zsh or fish");
        shell.AcceptOnlyFromAmong("bash", "zsh", "fish");
        return Options.Command("completion", """
            print a shell completion script. Install with:
              bash: orchestrator completion bash > ~/.local/share/bash-completion/completions/orchestrator
              zsh:  orchestrator completion zsh > "${fpath[1]}/_orchestrator"
              fish: orchestrator completion fish > ~/.config/fish/completions/orchestrator.fish
            """, shell).Does(context, async (parse, ctx) =>
        {
            await ctx.Out.WriteAsync(Script(parse.GetValue<string>("SHELL")!));
            return 0;
        });
    }

    public static string Script(string shell) => shell switch
    {
        "bash" => """
            # orchestrator completion for bash: source it, or put it in ~/.local/share/bash-completion/completions/orchestrator
            _orchestrator_complete() {
                local IFS=$'\n'
                local candidates
                candidates="$(orchestrator "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)"
                COMPREPLY=( $(compgen -W "${candidates}" -- "${COMP_WORDS[COMP_CWORD]}") )
            }
            complete -o default -F _orchestrator_complete orchestrator

            """,
        "zsh" => """
            #compdef orchestrator
            # orchestrator completion for zsh: put it in a directory of $fpath as _orchestrator
            _orchestrator() {
                local line="${words[1,CURRENT]}"
                local -a candidates
                candidates=("${(@f)$(orchestrator "[suggest:${#line}]" "${line}" 2>/dev/null)}")
                compadd -a candidates
            }
            compdef _orchestrator orchestrator

            """,
        "fish" => """
            # orchestrator completion for fish: put it in ~/.config/fish/completions/orchestrator.fish
            function __orchestrator_complete
                set -l line (commandline -cp)
                orchestrator "[suggest:"(string length -- "$line")"]" "$line" 2>/dev/null
            end
            complete -c orchestrator -f -a '(__orchestrator_complete)'

            """,
        _ => throw new UsageException($"no completion for '{shell}': bash, zsh or fish"),
    };
}
