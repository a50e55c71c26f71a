using Microsoft.Extensions.Options;
using StepUpDown.Integration.Configuration;
using StepUpDown.Integration.Mail;

namespace StepUpDown.Integration.Tests.Notifications;

/// <summary>The reply address of a handover's messages, its token read back, the key replaced, and the settings refused (pure: no server).</summary>
public sealed class ReplyAddressesTests
{
    private static readonly Guid Handover = Guid.Parse("6f9619ff-8b86-d011-b42d-00c04fc964ff");
    private static readonly string OldKey = Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray());
    private static readonly string NewKey = Convert.ToBase64String(Enumerable.Repeat((byte)9, 32).ToArray());

    private static ReplyAddresses Addresses(string key, string? previous = null) => new(Options.Create(new MailOptions
    {
        From = "step-up-down@example-council.gov.uk",
        Replies = { Address = "stepupdown-replies+{token}@example-council.gov.uk", TokenKey = key, PreviousTokenKey = previous, Imap = { Host = "imap.example" } },
    }));

    [Fact]
    public void TheAddressNamesTheHandover_AndItsTokenIsGenuineForItsRecipientOnly()
    {
        var addresses = Addresses(NewKey);

        var address = addresses.For(Handover, "Pat.Early@partner.example")!;
        var token = addresses.TokenIn(["someone@else.example", address.ToUpperInvariant()]);

        address.ShouldStartWith("stepupdown-replies+6f9619ff8b86d011b42d00c04fc964ff-");
        address.ShouldNotContain("pat", Case.Insensitive, "no personal data in the address");
        addresses.IsGenuine(token, Handover, "pat.early@partner.example").ShouldBeTrue("addresses compare whatever their case");
        addresses.IsGenuine(token, Handover, "someone.else@partner.example").ShouldBeFalse();
        addresses.IsGenuine(token, Guid.NewGuid(), "pat.early@partner.example").ShouldBeFalse();
    }

    [Fact]
    public void WhileTheKeyIsReplaced_TokensOfThePreviousKeyAreStillGenuine_AndNoLongerOnceItIsRemoved()
    {
        var sentBefore = Addresses(OldKey).For(Handover, "pat.early@partner.example")!;
        var token = Addresses(NewKey).TokenIn([sentBefore]);

        Addresses(NewKey, previous: OldKey).IsGenuine(token, Handover, "pat.early@partner.example").ShouldBeTrue();
        Addresses(NewKey).IsGenuine(token, Handover, "pat.early@partner.example").ShouldBeFalse();
        Addresses(NewKey, previous: OldKey).For(Handover, "pat.early@partner.example").ShouldNotBe(sentBefore, "new messages use the new key");
    }

    [Fact]
    public void BadReplySettings_StopStartUp_NamingTheirKeys()
    {
        var options = new MailOptions
        {
            From = "step-up-down@example-council.gov.uk",
            Bounces = { Imap = { Host = "imap.example", UserName = "mail" } },
            Replies = { Address = "stepupdown-replies@example-council.gov.uk", TokenKey = "c2hvcnQ=", PreviousTokenKey = "not base64!", Imap = { Host = "imap.example", UserName = "mail" } },
        };

        var failures = SectionValidation.Failures(options, MailOptions.SectionName);

        failures.ShouldContain(f => f.StartsWith("Mail:Replies:Address: must be an address with {token}", StringComparison.Ordinal));
        failures.ShouldContain(f => f.StartsWith("Mail:Replies:TokenKey: must be a base64 key of at least 32 bytes", StringComparison.Ordinal));
        failures.ShouldContain(f => f.StartsWith("Mail:Replies:PreviousTokenKey: must be a base64 key", StringComparison.Ordinal));
        failures.ShouldContain(f => f.StartsWith("Mail:Replies:Imap:Folder: must differ from Mail:Bounces:Imap:Folder", StringComparison.Ordinal));
        SectionValidation.Failures(new MailOptions { From = "a@b.example", Replies = { Address = "r+{token}@b.example", TokenKey = NewKey } }, MailOptions.SectionName)
            .ShouldContain(f => f.StartsWith("Mail:Replies:Imap:Host: must be set when Mail:Replies:Address is", StringComparison.Ordinal));
    }
}
