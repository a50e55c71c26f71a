using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
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
    /// "Notifications": { "GpDirectoryFile": "gp-directory.json", "TemplatesDirectory": "templates" }
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
        services.AddSingleton<GpDirectory>();
        services.AddSingleton<MessageTemplates>();
        services.AddSingleton<SmtpMailTransport>();
        services.AddSingleton<OutboxMailTransport>();
        services.AddSingleton<IMailTransport>(provider =>
            provider.GetRequiredService<IOptions<MailOptions>>().Value.UsesSmtp
                ? provider.GetRequiredService<SmtpMailTransport>()
                : provider.GetRequiredService<OutboxMailTransport>());
        services.AddSingleton<NotificationDispatcher>();
        services.AddSingleton<INotificationDispatcher>(provider => provider.GetRequiredService<NotificationDispatcher>());
        services.AddScoped<SendNotificationJob>();
        services.AddScoped<DispatchNotificationsJob>();
        return builder;
    }
}
