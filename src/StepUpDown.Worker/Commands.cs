using StepUpDown.Integration.Retention;
using StepUpDown.Worker.Dashboard;

namespace StepUpDown.Worker;

/// <summary>The worker binary's small commands besides running the worker.</summary>
public static class Commands
{
    /// <summary>Runs <c>hash-password</c>, <c>health-check URL</c> or <c>erase-child</c>; null when <paramref name="args"/> name none of them.</summary>
    public static async Task<int?> TryRunAsync(string[] args) => args switch
    {
        ["hash-password", ..] => HashPassword(),
        ["health-check", var url] => await HealthCheckAsync(url),
        ["erase-child", "--source", var source, "--id", var childId, .. var settings] => await EraseChildAsync(source, childId, settings),
        ["erase-child", ..] => Usage("erase-child --source SOURCE --id CHILD_ID [--Key=Value settings]"),
        _ => null,
    };

    private static int Usage(string usage)
    {
        Console.Error.WriteLine($"Usage: {usage}");
        return 2;
    }

    /// <summary>
    /// Removes one child's data (one case system's id) from the worker's database, with the
    /// worker's own settings (and <paramref name="settings"/>), and records only that an erasure happened.
    /// </summary>
    private static async Task<int> EraseChildAsync(string source, string childId, string[] settings)
    {
        await using var worker = await StepUpDownHost.CreateAsync(settings, new Dictionary<string, string?> { ["Jobs:RunServer"] = "false" });
        var removed = await worker.Services.GetRequiredService<RetentionPurge>().EraseChildAsync(source, childId, CancellationToken.None);
        Console.WriteLine($"Erased: {removed} rows removed; the erasure is recorded in stepupdown.erasures without the child's id.");
        return 0;
    }

    /// <summary>Reads a password from standard input and prints its hash for <c>Dashboard:LocalAccounts:NAME:PasswordHash</c>.</summary>
    private static int HashPassword()
    {
        Console.Error.Write("Password: ");
        var password = Console.ReadLine();
        if (string.IsNullOrEmpty(password))
        {
            Console.Error.WriteLine("No password given.");
            return 2;
        }

        Console.WriteLine(PasswordHash.Create(password));
        return 0;
    }

    /// <summary>For a container's HEALTHCHECK (the runtime image has no curl): 0 when the address answers 2xx.</summary>
    private static async Task<int> HealthCheckAsync(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync(new Uri(url));
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or UriFormatException)
        {
            return 1;
        }
    }
}
