using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StepUpDown.Integration.Configuration;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.Retention;

/// <summary>Registers the retention purge (section <c>Retention</c>).</summary>
public static class RetentionServiceCollectionExtensions
{
    /// <summary>Adds <see cref="RetentionPurge"/> and its daily job.</summary>
    public static IHostApplicationBuilder AddRetention(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddValidatedOptions<RetentionOptions>(builder.Configuration, RetentionOptions.SectionName);
        builder.Services.AddSingleton<RetentionPurge>();
        builder.Services.AddScoped<PurgeRetentionJob>();
        return builder;
    }
}

/// <summary>The daily purge (<c>Retention:Cron</c>): retried a few times (a database restart), then left Failed on the dashboard until the next day's.</summary>
[AutomaticRetry(Attempts = 3, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
public sealed class PurgeRetentionJob(RetentionPurge purge)
{
    /// <summary>The recurring job's id.</summary>
    public const string RecurringJobId = "purge-retention";

    /// <summary>Removes what is past its period.</summary>
    public Task ExecuteAsync(CancellationToken cancellationToken) => DatabaseErrors.GuardAsync(() => purge.PurgeAsync(cancellationToken));
}
