using System.Text.Json;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Worker;

/// <summary>
/// What an ops team's collector reads off the console: with <c>Telemetry:LogFormat=json</c>, one
/// compact JSON object per event with the UTC time and its zone; with
/// <c>Telemetry:TracesExporter</c>, spans of the requests served, named by <c>service.name</c>.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class LogFormatTests(PostgresFixture postgres, MailDevFixture mail)
{
    [Fact]
    public async Task JsonLogsAndConsoleTraces_GoToTheConsole_AsACollectorReadsThem()
    {
        var console = await ConsoleOfAsync(async written =>
        {
            await using var worker = await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), null, mail, settings =>
            {
                settings["Telemetry:LogFormat"] = "json";
                settings["Telemetry:TracesExporter"] = "console";
                settings["Telemetry:ServiceName"] = "stepupdown-test-council";
            });
            using var http = new HttpClient { BaseAddress = worker.BaseAddress };
            (await http.GetAsync("/health/live?nhsNumber=9434765919")).EnsureSuccessStatusCode();
            await worker.WaitUntilAsync(() => Task.FromResult(written().Contains("/health/live", StringComparison.Ordinal)), "the request's span is exported");
        });

        var events = console.Split('\n').Where(line => line.StartsWith("{\"@t\"", StringComparison.Ordinal)).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        events.ShouldNotBeEmpty();
        foreach (var e in events)
        {
            e.GetProperty("@t").GetString().ShouldNotBeNull().ShouldEndWith("Z", customMessage: "UTC, and says so");
            e.GetProperty("@m").GetString().ShouldNotBeNullOrEmpty();
        }

        events.ShouldContain(e => e.GetProperty("@m").GetString()!.Contains("Polling", StringComparison.Ordinal) || e.GetProperty("@m").GetString()!.Contains("case feeds", StringComparison.Ordinal));
        console.ShouldNotContain("[INF]", customMessage: "no text lines once JSON is asked for");
        console.ShouldContain("service.name: stepupdown-test-council");
        console.ShouldNotContain("9434765919", customMessage: "the query string is redacted in the span");
    }

    [Fact]
    public async Task JsonLogs_StartWithTheFirstLine_AFailedStartUpIsAFatalJsonEvent()
    {
        var exit = 0;
        var console = await ConsoleOfAsync(async _ => exit = await StepUpDown.Worker.StepUpDownHost.RunToEndAsync(
            ["--Telemetry:LogFormat=json"], () => throw new InvalidOperationException("ConnectionStrings:StepUpDown: the server does not answer."), "worker"));

        exit.ShouldBe(1);
        var fatal = JsonDocument.Parse(console.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldHaveSingleItem()).RootElement;
        fatal.GetProperty("@l").GetString().ShouldBe("Fatal");
        fatal.GetProperty("@m").GetString().ShouldNotBeNull().ShouldContain("ConnectionStrings:StepUpDown");
        fatal.GetProperty("@t").GetString().ShouldNotBeNull().ShouldEndWith("Z");
    }

    /// <summary>
    /// What <paramref name="run"/> writes to the console (the process's, so only while nothing else
    /// in this collection runs); <paramref name="run"/> may read it so far to wait on it. Sinks and
    /// exporters write from their own threads, so every read takes the lock their writes take (a
    /// synchronized writer locks on itself): an unlocked read raced a write on CI.
    /// </summary>
    private static async Task<string> ConsoleOfAsync(Func<Func<string>, Task> run)
    {
        var original = Console.Out;
        using var capture = new StringWriter();
        var synchronized = TextWriter.Synchronized(capture);
        string Written()
        {
            lock (synchronized)
            {
                return capture.ToString();
            }
        }

        Console.SetOut(synchronized);
        try
        {
            await run(Written);
        }
        finally
        {
            Console.SetOut(original);
        }

        return Written();
    }
}
