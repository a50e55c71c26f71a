using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Refit;
using StepUpDown.Domain.Notifications;
using StepUpDown.Integration.Configuration;
using StepUpDown.Integration.Dashboard;
using StepUpDown.Integration.Health;
using StepUpDown.Integration.Jobs;
using StepUpDown.Integration.Mail;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.Notifications;

/// <summary>Registers the notification rules, templates, ledger jobs and mail transport.</summary>
public static class NotificationServiceCollectionExtensions
{
    /// <summary>
    /// Mail goes to the SMTP relay when <c>Mail:Smtp:Host</c> is set, otherwise to .eml files in
    /// <c>Mail:OutboxDirectory</c>.
    /// <code>
    /// "Mail": { "From": "step-up-down@council.gov.uk", "SubjectTag": "[secure]", "OutboxDirectory": ".data/outbox",
    ///           "Smtp": { "Host": "smtp.council.gov.uk", "Port": 587, "Security": "StartTls", "UserName": "...", "Password": "..." } },
    /// "Council": { "Name": "...", "OfficeHoursPhone": "...", "OutOfHoursPhone": "..." },
    /// "Notifications": { "MasshEmail": "massh@council.gov.uk", "MaxAttempts": 10, "GpDirectoryFile": "gp-directory.json",
    ///                    "GpDirectoryApi": { "BaseUrl": null, "ApiKey": null }, "SecureDomainsFile": "secure-domains.txt", "TemplatesDirectory": "templates" }
    /// </code>
    /// </summary>
    public static IHostApplicationBuilder AddNotifications(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddValidatedOptions<MailOptions>(builder.Configuration, MailOptions.SectionName);
        services.AddSingleton<IValidateOptions<MailOptions>, OutboxOnlyWhenMeant>();
        services.AddValidatedOptions<CouncilOptions>(builder.Configuration, CouncilOptions.SectionName);
        services.AddValidatedOptions<NotificationOptions>(builder.Configuration, NotificationOptions.SectionName)
            .Validate(options => options.RetryDelays.All(delay => delay > TimeSpan.Zero), $"{NotificationOptions.SectionName}:RetryDelays: every delay must be longer than zero.");
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<NotificationOptions>>().Value;
            return new RetrySchedule(options.MaxAttempts, options.RetryDelays);
        });
        services.AddSingleton<NotificationPlanner>();
        services.AddSingleton<SecureDomains>();
        services.AddSingleton<RecipientResolver>();
        var gpApi = builder.Configuration.GetSection($"{NotificationOptions.SectionName}:GpDirectoryApi").Get<GpDirectoryApiOptions>();
        if (gpApi?.BaseUrl is not null)
        {
            if (Loopback.IsPlainHttpElsewhere(gpApi.BaseUrl) && !gpApi.AllowPlainHttp)
            {
                throw new OptionsValidationException(
                    $"{NotificationOptions.SectionName}:GpDirectoryApi",
                    typeof(GpDirectoryApiOptions),
                    [$"{NotificationOptions.SectionName}:GpDirectoryApi:BaseUrl: must be https: plain http would carry children's GP practices in clear (a loopback address, or AllowPlainHttp=true on a private trial network, may use http)."]);
            }

            services.AddRefitGeneratedClient<IGpDirectoryApi>(_ => new RefitSettings(), "gp-directory")
                .ConfigureHttpClient(client =>
                {
                    client.BaseAddress = gpApi.BaseUrl;
                    if (!string.IsNullOrWhiteSpace(gpApi.ApiKey))
                    {
                        client.DefaultRequestHeaders.Add("X-Api-Key", gpApi.ApiKey);
                    }
                })
                .AddStandardResilienceHandler();
            services.AddSingleton(provider => new GpDirectory(
                provider.GetRequiredService<IOptions<NotificationOptions>>(), provider.GetRequiredService<ConfigFolder>(), provider.GetRequiredService<IGpDirectoryApi>()));
        }
        else
        {
            services.AddSingleton(provider => new GpDirectory(
                provider.GetRequiredService<IOptions<NotificationOptions>>(), provider.GetRequiredService<ConfigFolder>()));
        }

        services.AddSingleton<MessageTemplates>();
        services.AddSingleton<OutgoingMail>();
        services.AddSingleton<ReplyAddresses>();
        services.AddDashboardPage(NotificationsPage.Route, "Notifications", () => new NotificationsPage(), NotificationLedger.CountFailed);
        services.AddSingleton<MailCheck>(); // one instance, so its last answer is kept
        services.AddHealthChecks()
            .AddCheck<NotificationsCheck>("notifications", HealthStatus.Degraded, [HealthTags.Ready])
            .AddCheck<MailCheck>("mail", HealthStatus.Degraded, [HealthTags.Ready]);
        services.AddSingleton<RelayLoginGate>();
        services.AddSingleton<SmtpMailTransport>();
        services.AddSingleton<OutboxMailTransport>();
        services.AddSingleton<IMailTransport>(provider =>
            provider.GetRequiredService<IOptions<MailOptions>>().Value.UsesSmtp
                ? provider.GetRequiredService<SmtpMailTransport>()
                : provider.GetRequiredService<OutboxMailTransport>());
        services.AddSingleton<INotificationDispatcher, DispatchJobScheduler>();
        services.AddSingleton<NotificationLedger>();
        services.AddSingleton<IStartupTask, EpisodeEndsBackfill>();
        services.AddSingleton<NotificationDelivery>();
        services.AddSingleton<NotificationDispatcher>();
        services.AddSingleton<RelayRecovery>();
        services.AddScoped<DispatchNotificationsJob>();

        // Every 15 s: what a dead instance held is free 20 s after its last heartbeat, and is
        // taken over by the next of these runs, well within the minute the design promises.
        services.AddRecurringJobs(_ =>
        [
            RecurringJobDeclaration.Of<DispatchNotificationsJob>(
                DispatchNotificationsJob.RecurringJobId, "(every 15 seconds)", "*/15 * * * * *", job => job.ExecuteAsync(CancellationToken.None)),
        ]);
        return builder;
    }
}
