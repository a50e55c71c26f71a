using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace StepUpDown.Integration.Mail;

/// <summary>
/// Mail goes to the outbox folder only where that is meant: the Demo and Development
/// environments, or <c>Mail:UseOutbox=true</c>. Elsewhere a worker without an SMTP host does not
/// start, so an empty or misspelt host never leaves children's notices in a folder unsent.
/// </summary>
internal sealed class OutboxOnlyWhenMeant(IHostEnvironment environment) : IValidateOptions<MailOptions>
{
    public ValidateOptionsResult Validate(string? name, MailOptions options) =>
        options.UsesSmtp || options.UseOutbox || environment.IsDevelopment() || environment.IsEnvironment("Demo")
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{MailOptions.SectionName}:Smtp:Host: no SMTP relay is set, so no notice would be sent (set the relay, or {MailOptions.SectionName}:UseOutbox=true to write them to {options.OutboxDirectory} on purpose).");
}
