using System.Text;

namespace Orchestrator.Cli;

/// <summary>Reads a credential typed at the terminal without echoing it.</summary>
public static class HiddenInput
{
    public static string Read(CliContext context, string prompt)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Error.Write(prompt);
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0) text.Length--;
                continue;
            }
            if (!char.IsControl(key.KeyChar)) text.Append(key.KeyChar);
        }
        context.Error.WriteLine();
        return text.ToString();
    }
}
