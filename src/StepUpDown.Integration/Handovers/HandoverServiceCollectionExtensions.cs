using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StepUpDown.Domain.Handovers;
using StepUpDown.Integration.Configuration;
using StepUpDown.Integration.Dashboard;
using StepUpDown.Integration.Health;
using StepUpDown.Integration.Jobs;
using StepUpDown.Integration.Mail;

namespace StepUpDown.Integration.Handovers;

/// <summary>Registers handover tracking: the calendar, the agency directory, the ladder, the sweep, and the reading of answers by reply.</summary>
public static class HandoverServiceCollectionExtensions
{
    /// <summary>
    /// <code>
    /// "Handovers": { "CalendarFile": "bank-holidays.json", "CalendarDivision": "england-and-wales", "TimeZone": "Europe/London",
    ///                "SweepCron": "* * * * *", "AgencyDirectoryFile": "agencies.json",
    ///                "HeadOfService": { "Name": "...", "Email": "..." }, "TacChampion": { "Name": "...", "Email": "..." },
    ///                "Ladder": "standard", "Ladders": { "standard": { "DisagreementStage": 2, "Stages": [ ... ] } } }
    /// </code>
    /// </summary>
    public static IHostApplicationBuilder AddHandovers(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddValidatedOptions<HandoverOptions>(builder.Configuration, HandoverOptions.SectionName);
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<HandoverOptions>>().Value;
            return provider.GetRequiredService<ConfigFolder>().Read(
                $"{HandoverOptions.SectionName}:CalendarFile and {HandoverOptions.SectionName}:CalendarDivision",
                options.CalendarFile,
                json => WorkingDayCalendar.FromGovUk(json, options.CalendarDivision));
        });
        services.AddSingleton<AgencyDirectory>();
        services.AddSingleton<IRoleDirectory, LadderRecipients>();
        services.AddScoped<HandoverSweep>();
        services.AddScoped<SweepHandoversJob>();
        services.AddSingleton<HandoverDigests>();
        services.AddScoped<SendHandoverDigestsJob>();
        services.AddRecurringJobs(provider =>
        {
            var options = provider.GetRequiredService<IOptions<HandoverOptions>>().Value;
            return
            [
                RecurringJobDeclaration.Of<SweepHandoversJob>(
                    SweepHandoversJob.RecurringJobId, "Handovers:SweepCron", options.SweepCron, job => job.ExecuteAsync(CancellationToken.None), options.CouncilZone()),
                RecurringJobDeclaration.Of<SendHandoverDigestsJob>(
                    SendHandoverDigestsJob.RecurringJobId, "Handovers:DigestCron", options.DigestCron, job => job.ExecuteAsync(CancellationToken.None), options.CouncilZone()),
            ];
        });
        services.AddDashboardPage("/handovers", "Handovers", () => new HandoversPage());
        services.AddHealthChecks().AddCheck<CalendarCheck>("bank-holidays", HealthStatus.Degraded, [HealthTags.Ready]);

        // Answers by reply (Mail:Replies): read as they land, one instance at a time.
        services.AddSingleton<ReplyMailboxStatus>();
        services.AddSingleton<ReplyMailbox>();
        services.AddSingleton<IHostedService>(provider => new MailboxWatcher(
            provider.GetRequiredService<ReplyMailbox>(), "reply mailbox", provider.GetRequiredService<ILogger<MailboxWatcher>>()));
        services.AddDashboardPage(RepliesPage.Route, "Replies needing a person", () => new RepliesPage());
        services.AddHealthChecks().AddCheck<ReplyMailboxCheck>("reply-mailbox", HealthStatus.Degraded, [HealthTags.Ready]);
        return builder;
    }
}
