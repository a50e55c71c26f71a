using System.Globalization;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Worker;

/// <summary>
/// The demo profile that <c>dotnet run</c> starts (<c>config/appsettings.Demo.json</c>): the built-in
/// simulator's fictional families through the whole worker, over SMTP, to the demo's mailbox
/// folder, on a clock fast enough to reach the escalation ladder within the test.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class DemoProfileTests(PostgresFixture postgres, MailDevFixture mail)
{
    [Fact]
    public async Task DemoProfile_ProducesAGpNotice_AHandoverPack_AnEscalation_AnOutOfOrderStepDown_AndARoutineClosure_InTheMailbox()
    {
        var outbox = Directory.CreateTempSubdirectory("sud-demo-outbox-").FullName;
        var simulator = $"http://127.0.0.1:{MailDevFixture.FreePort()}";
        var mailboxPort = MailDevFixture.FreePort().ToString(CultureInfo.InvariantCulture);
        await using var worker = await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), null, mail, settings =>
        {
            // The demo's own relay, as appsettings.Demo.json sets it up, on a free port.
            settings["Simulator:MailboxPort"] = mailboxPort;
            settings["Simulator:MailboxDirectory"] = outbox;
            settings["Mail:Smtp:Port"] = mailboxPort;
            settings["Clock:Speed"] = "40000"; // a day in about two seconds
            settings["Simulator:Urls"] = simulator;
            settings["CaseFeeds:Sources:social-care:BaseUrl"] = $"{simulator}/social-care";
            settings["CaseFeeds:Sources:early-help:BaseUrl"] = $"{simulator}/early-help";
            settings["CaseFeeds:Sources:social-care:PollCron"] = "* * * * * *";
            settings["CaseFeeds:Sources:early-help:PollCron"] = "* * * * * *";
            settings["Handovers:SweepCron"] = "* * * * * *";
        }, environment: "Demo");

        string[] subjects = [];
        await worker.WaitUntilAsync(
            () =>
            {
                subjects = Directory.GetFiles(outbox, "*.eml").Select(SubjectOf).ToArray();
                return Task.FromResult(
                    subjects.Any(s => s.Contains("Stalled step down handover", StringComparison.Ordinal))
                    && subjects.Any(s => s.StartsWith("Closed to universal, plan ended", StringComparison.Ordinal)));
            },
            "a stalled handover is escalated and Gina's routine closure told",
            TimeSpan.FromSeconds(120));

        subjects.ShouldContain(s => s.Contains("notice for GP records", StringComparison.Ordinal));
        subjects.ShouldContain(s => s.StartsWith("Step down agreed: you are proposed as lead professional", StringComparison.Ordinal));
        subjects.ShouldContain(s => s.StartsWith("Reminder: step down handover not yet complete", StringComparison.Ordinal));
        subjects.ShouldContain(s => s.StartsWith("Step down to Early help: notice for GP records", StringComparison.Ordinal), "Finn's out-of-order step down, told once early help opened");
        subjects.ShouldContain(s => s.StartsWith("Step down to Universal provision: the plan has ended", StringComparison.Ordinal), "Gina's GP");

        // Sent over SMTP, so the ledger says sent (never "written") and Cara's step down completes once her GP is told.
        await worker.WaitUntilAsync(
            async () => await worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.handovers WHERE state = 'complete'") > 0,
            "Cara's step down completes");
        (await worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE state = 'written'")).ShouldBe(0);
        if (!OperatingSystem.IsWindows())
        {
            foreach (var file in Directory.GetFiles(outbox, "*.eml"))
            {
                File.GetUnixFileMode(file).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite, "a child's notice is for the worker's user only");
            }

            File.GetUnixFileMode(outbox).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        Directory.Delete(outbox, recursive: true);
    }

    private static string SubjectOf(string emlPath) =>
        File.ReadLines(emlPath).First(line => line.StartsWith("Subject:", StringComparison.Ordinal))["Subject:".Length..].Trim();
}
