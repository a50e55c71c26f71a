using System.Globalization;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.DeliveryEvidence;

/// <summary>
/// Every notice asks a relay that offers DSN (RFC 3461) for reports of failure and delay, headers
/// only, with its ledger row as the envelope id, from an envelope sender that names the row when
/// <c>Mail:EnvelopeFrom</c> is set. The relay is <see cref="ScriptedSmtpServer"/>: maildev hides DSN.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class ReportRequestTests(PostgresFixture postgres, MailDevFixture mail)
{
    [Theory]
    [InlineData("stepupdown-bounces+{id}@example-council.gov.uk")]
    [InlineData(null)]
    public async Task EveryNotice_AsksForFailureAndDelayReports_NamingItsRow(string? envelopeFrom)
    {
        using var relay = ScriptedSmtpServer.AcceptingWithDsn();
        using var feed = new FeedServer();
        await using var worker = await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), feed.Url, mail, settings =>
        {
            settings["Mail:Smtp:Port"] = relay.Port.ToString(CultureInfo.InvariantCulture);
            settings["Mail:EnvelopeFrom"] = envelopeFrom;
        });
        feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1));
        feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2));
        await worker.PollAsync();
        await worker.PollAsync();
        await worker.WaitForLedgerSettledAsync();

        var rows = await worker.QueryAsync<Guid>("SELECT id FROM stepupdown.notifications WHERE state = 'sent'");
        var mailFrom = relay.Envelope.Where(line => line.StartsWith("MAIL FROM:", StringComparison.OrdinalIgnoreCase)).ToList();
        var rcptTo = relay.Envelope.Where(line => line.StartsWith("RCPT TO:", StringComparison.OrdinalIgnoreCase)).ToList();

        rows.Count.ShouldBe(2, "the GP's notice and the MASSH's");
        mailFrom.Count.ShouldBe(rows.Count);
        foreach (var row in rows)
        {
            var sender = envelopeFrom?.Replace("{id}", row.ToString("N"), StringComparison.Ordinal) ?? "step-up-down@example-council.gov.uk";
            mailFrom.ShouldContain(line => line.StartsWith($"MAIL FROM:<{sender}>", StringComparison.Ordinal)
                                           && line.Contains($" ENVID={row:N}", StringComparison.Ordinal)
                                           && line.Contains(" RET=HDRS", StringComparison.Ordinal));
        }

        rcptTo.ShouldAllBe(line => line.Contains(" NOTIFY=FAILURE,DELAY", StringComparison.Ordinal));
    }
}
