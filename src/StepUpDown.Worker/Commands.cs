using StepUpDown.Worker.Dashboard;

namespace StepUpDown.Worker;

/// <summary>The worker binary's small commands besides running the worker.</summary>
public static class Commands
{
    /// <summary>Runs <c>hash-password</c> or <c>health-check URL</c>; null when <paramref name="args"/> name neither.</summary>
    public static async Task<int?> TryRunAsync(string[] args) => args switch
    {
        ["hash-password", ..] => HashPassword(),
        ["health-check", var url] => await HealthCheckAsync(url),
        _ => null,
    };

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
