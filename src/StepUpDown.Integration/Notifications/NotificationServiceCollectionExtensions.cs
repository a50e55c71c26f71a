using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Refit;
using StepUpDown.Integration.Configuration;

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
        services.AddValidatedOptions<CouncilOptions>(builder.Configuration, CouncilOptions.SectionName);
        services.AddValidatedOptions<NotificationOptions>(builder.Configuration, NotificationOptions.SectionName);
        services.AddSingleton<NotificationPlanner>();
        services.AddSingleton<SecureDomains>();
        services.AddSingleton<RecipientResolver>();
        var gpApi = builder.Configuration.GetSection($"{NotificationOptions.SectionName}:GpDirectoryApi").Get<GpDirectoryApiOptions>();
        if (gpApi?.BaseUrl is not null)
        {
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
        services.AddSingleton<SmtpMailTransport>();
        services.AddSingleton<OutboxMailTransport>();
        services.AddSingleton<IMailTransport>(provider =>
            provider.GetRequiredService<IOptions<MailOptions>>().Value.UsesSmtp
                ? provider.GetRequiredService<SmtpMailTransport>()
                : provider.GetRequiredService<OutboxMailTransport>());
        services.AddSingleton<INotificationDispatcher, DispatchJobScheduler>();
        services.AddSingleton<NotificationDelivery>();
        services.AddSingleton<NotificationDispatcher>();
        services.AddScoped<SendNotificationJob>();
        services.AddSingleton<GiveUpWhenRetriesRunOut>();
        services.AddScoped<DispatchNotificationsJob>();
        return builder;
    }
}

/// <summary>The council's GP directory service (<c>Notifications:GpDirectoryApi</c>); unset: the file only.</summary>
public sealed class GpDirectoryApiOptions
{
    /// <summary>Base address of the service.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>Sent as <c>X-Api-Key</c>.</summary>
    public string? ApiKey { get; set; }
}
