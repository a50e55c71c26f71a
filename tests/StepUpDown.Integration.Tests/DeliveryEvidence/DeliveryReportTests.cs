using CsCheck;
using StepUpDown.Integration.DeliveryEvidence;
using StepUpDown.Integration.Mail;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.DeliveryEvidence;

/// <summary>Reading delivery reports as Postfix, Exchange Online / NHSmail and Gmail send them (pure: no server).</summary>
public sealed class DeliveryReportTests
{
    private static readonly Guid Notice = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

    [Fact]
    public void PostfixBounce_IsFailed_WithItsCodeOnly_AndNamesTheNoticeByItsEnvelopeIdFirst()
    {
        var report = DeliveryReport.Read(Reports.Parse(Reports.Postfix(Notice)));

        report.Kind.ShouldBe(ReportKind.Failed, "Postfix marks its own bounce Auto-Submitted: that is no out-of-office reply");
        report.Status.ShouldBe("5.1.1", "the code alone, never the text after it that names the mailbox's owner");
        report.NoticeIds.ShouldBe([Notice]);
    }

    [Fact]
    public void ExchangeOnlineReport_WithoutAnEnvelopeId_NamesTheNoticeByTheReturnedMessagesId()
    {
        var report = DeliveryReport.Read(Reports.Parse(Reports.Exchange(Notice)));

        report.Kind.ShouldBe(ReportKind.Failed);
        report.Status.ShouldBe("5.1.10");
        report.NoticeIds.ShouldBe([Notice]);
    }

    [Fact]
    public void GmailReport_NamesTheNoticeByTheEnvelopeAddressItCameBackTo_AndByTheReturnedHeaders()
    {
        var report = DeliveryReport.Read(Reports.Parse(Reports.Gmail(Notice)));

        report.Kind.ShouldBe(ReportKind.Failed);
        report.Status.ShouldBe("5.1.1");
        report.NoticeIds.ShouldBe([Notice]);
    }

    [Fact]
    public void ADelayReport_IsDelayed_NotFailed()
    {
        var report = DeliveryReport.Read(Reports.Parse(Reports.Postfix(Notice, action: "delayed", status: "4.4.1")));

        report.Kind.ShouldBe(ReportKind.Delayed);
        report.Status.ShouldBe("4.4.1");
    }

    [Fact]
    public void ASuccessReport_IsDelivered()
    {
        DeliveryReport.Read(Reports.Parse(Reports.Postfix(Notice, action: "delivered", status: "2.0.0"))).Kind.ShouldBe(ReportKind.Delivered);
    }

    [Fact]
    public void AnOutOfOfficeReply_IsAnAutoReply_EvenThoughItNamesTheNotice()
    {
        var report = DeliveryReport.Read(Reports.Parse(Reports.OutOfOffice(Notice)));

        report.Kind.ShouldBe(ReportKind.AutoReply);
        report.NoticeIds.ShouldBeEmpty();
    }

    [Fact]
    public void ABrokenReport_IsNotAReport_AndDoesNotThrow()
    {
        DeliveryReport.Read(Reports.Parse(Reports.Broken(Notice))).Kind.ShouldBe(ReportKind.NotAReport);
    }

    [Theory]
    [InlineData("5.1.1", "5.1.1")]
    [InlineData("5.7.1 (delivery not authorized, message refused)", "5.7.1")]
    [InlineData("  4.2.2", "4.2.2")]
    [InlineData("Jane Doe 5.1.1", null)]
    [InlineData("5.1.1.1", null)]
    [InlineData("", null)]
    public void TheStatusKept_IsACodeOrNothing(string field, string? kept)
    {
        var raw = Reports.Postfix(Notice).Replace($"Status: 5.1.1 ({Reports.QuotedName}'s mailbox)", $"Status: {field}", StringComparison.Ordinal);

        DeliveryReport.Read(Reports.Parse(raw)).Status.ShouldBe(kept);
    }

    [Theory]
    [InlineData("stepupdown-bounces+{id}@council.gov.uk", true)]
    [InlineData("bounces-{id}@council.gov.uk", true)]
    [InlineData("stepupdown-bounces@council.gov.uk", false)]
    [InlineData("stepupdown@{id}.council.gov.uk", false)]
    [InlineData("not an address {id}", false)]
    public void AnEnvelopeSender_NamesItsNoticeInItsLocalPart(string template, bool valid)
    {
        EnvelopeSender.IsValidTemplate(template).ShouldBe(valid);
        if (valid)
        {
            EnvelopeSender.IdIn(EnvelopeSender.For(template, Notice)).ShouldBe(Notice);
        }
    }

    /// <summary>
    /// Any report, cut short, with lines lost or replaced by anything: read without throwing, its
    /// status a code or nothing, and it names no notice but its own.
    /// </summary>
    [Fact]
    public void AnyMangledReport_IsReadWithoutThrowing_KeepsACodeOrNothing_AndNamesNoOtherNotice()
    {
        var shapes = new[] { Reports.Postfix(Notice), Reports.Exchange(Notice), Reports.Gmail(Notice), Reports.OutOfOffice(Notice), Reports.Broken(Notice) };
        var mangle = Gen.Select(Gen.Int[0, shapes.Length - 1], Gen.Int[0, 2], Gen.Int[0, 10_000], Gen.String[Gen.Char, 0, 200], (shape, how, where, text) => (shape, how, where, text));

        mangle.Sample(m =>
        {
            var lines = shapes[m.shape].ReplaceLineEndings("\n").Split('\n').ToList();
            var at = m.where % lines.Count;
            var raw = m.how switch
            {
                0 => string.Join('\n', lines.Take(at)),
                1 => string.Join('\n', lines.Where((_, i) => i != at)),
                _ => string.Join('\n', lines.Select((line, i) => i == at ? m.text : line)),
            };

            MimeKit.MimeMessage message;
            try
            {
                message = Reports.Parse(raw);
            }
            catch (FormatException)
            {
                return; // no message at all: the mailbox reader sets it aside unread (BounceMailbox)
            }

            var report = DeliveryReport.Read(message);

            report.Status.ShouldSatisfyAllConditions(
                status => (status ?? "5.0.0").ShouldMatch(@"^[245]\.\d{1,3}\.\d{1,3}$"));
            report.NoticeIds.ShouldAllBe(id => id == Notice);
        }, iter: 2000);
    }
}
