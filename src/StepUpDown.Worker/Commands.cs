using Microsoft.Extensions.Options;
using StepUpDown.Domain.Monitoring;
using StepUpDown.Integration.Handovers;
using StepUpDown.Integration.Mail;
using StepUpDown.Integration.Monitoring;
using StepUpDown.Integration.Retention;
using StepUpDown.Worker.Dashboard;

namespace StepUpDown.Worker;

/// <summary>The worker binary's small commands besides running the worker.</summary>
public static class Commands
{
    /// <summary>Runs <c>hash-password</c>, <c>health-check URL</c>, <c>erase-child</c>, <c>report</c> or <c>preview-templates</c>; null when <paramref name="args"/> name none of them.</summary>
    public static async Task<int?> TryRunAsync(string[] args) => args switch
    {
        ["hash-password", ..] => HashPassword(),
        ["health-check", var url] => await HealthCheckAsync(url),
        ["erase-child", "--source", var source, "--id", var childId, .. var settings] => await EraseChildAsync(source, childId, settings),
        ["erase-child", ..] => Usage("erase-child --source SOURCE --id CHILD_ID [--Key=Value settings]"),
        ["report", "--from", var from, "--to", var to, "--csv", var file, .. var settings] => await ReportAsync(from, to, file, settings),
        ["preview-templates", "--out", var folder, .. var settings] => await PreviewTemplatesAsync(folder, settings),
        ["preview-templates", ..] => Usage("preview-templates --out DIR [--Key=Value settings]"),
        ["report", ..] => Usage("report --from YYYY-MM-DD --to YYYY-MM-DD --csv FILE [--Key=Value settings]"),
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

    /// <summary>Writes the monitoring report of a period, both days included, as a CSV file.</summary>
    private static async Task<int> ReportAsync(string from, string to, string file, string[] settings)
    {
        if (!ReportPeriod.TryParse(from, to, out var period))
        {
            return Usage("report --from YYYY-MM-DD --to YYYY-MM-DD --csv FILE (the period's first and last days, in order, at most 5 years)");
        }

        await using var worker = await StepUpDownHost.CreateAsync(settings, new Dictionary<string, string?> { ["Jobs:RunServer"] = "false" });
        var report = await worker.Services.GetRequiredService<MonitoringReports>().BuildAsync(period.From, period.To, CancellationToken.None);

        // A file, not standard output: the worker's own log lines go to the console.
        await File.WriteAllTextAsync(file, ReportCsv.Write(report));
        Console.WriteLine($"Report of {period} written to {file}.");
        return 0;
    }

    /// <summary>
    /// Writes every message kind, rendered from the council's templates over a fictional child, as
    /// <c>NAME.eml</c> (the whole message, as sent) and <c>NAME.html</c>, for the council to review.
    /// </summary>
    private static async Task<int> PreviewTemplatesAsync(string folder, string[] settings)
    {
        // Nothing is sent: no relay is needed to preview.
        await using var worker = await StepUpDownHost.CreateAsync(settings, new Dictionary<string, string?> { ["Jobs:RunServer"] = "false", ["Mail:UseOutbox"] = "true" });
        var services = worker.Services;
        var templates = services.GetRequiredService<MessageTemplates>();
        var outgoing = services.GetRequiredService<OutgoingMail>();
        var samples = HandoverSamples.WithRules(services.GetRequiredService<IOptions<CouncilOptions>>().Value, services.GetRequiredService<IOptions<HandoverOptions>>().Value.ToLadder()).ToList();
        Directory.CreateDirectory(folder);
        foreach (var sample in samples)
        {
            var rendered = templates.Render(sample.Template, sample.Model);
            var message = outgoing.Create($"preview-{sample.Name}@example.invalid", new MimeKit.MailboxAddress("Sample Recipient", "sample.recipient@example.invalid"), rendered, "0123456789AB");
            await message.WriteToAsync(Path.Combine(folder, $"{sample.Name}.eml"));
            await File.WriteAllTextAsync(Path.Combine(folder, $"{sample.Name}.html"), rendered.Html);
        }

        Console.WriteLine($"{samples.Count} messages written to {folder} (.eml and .html each), over a fictional child.");
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
