using System.Diagnostics;

namespace StepUpDown.Integration.Storage;

/// <summary>Runs a command to completion, optionally as another OS user, and captures its output.</summary>
internal static class ProcessRunner
{
    internal sealed record Result(int ExitCode, string Output);

    internal static async Task<Result> RunAsync(string? asUser, string file, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asUser is null)
        {
            startInfo.FileName = file;
        }
        else
        {
            startInfo.FileName = "runuser";
            foreach (var prefix in new[] { "-u", asUser, "--", file })
            {
                startInfo.ArgumentList.Add(prefix);
            }
        }

        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return new Result(process.ExitCode, (await stdout) + (await stderr));
    }
}
