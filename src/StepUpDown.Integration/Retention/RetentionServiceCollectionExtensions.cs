using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StepUpDown.Integration.Configuration;
using StepUpDown.Integration.Handovers;
using StepUpDown.Integration.Jobs;

namespace StepUpDown.Integration.Retention;

/// <summary>Registers the retention purge (section <c>Retention</c>).</summary>
public static class RetentionServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="RetentionPurge"/>, its daily job (<c>Retention:Cron</c>, in the council's
    /// time) and the filter that dates failed jobs for it (<see cref="FailedJobDates"/>).
    /// </summary>
    public static IHostApplicationBuilder AddRetention(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddValidatedOptions<RetentionOptions>(builder.Configuration, RetentionOptions.SectionName);
        builder.Services.AddSingleton<RetentionPurge>();
        SharedJobFilters.AddOnce(new FailedJobDates());
        builder.Services.AddScoped<PurgeRetentionJob>();
        builder.Services.AddRecurringJobs(provider =>
        [
            RecurringJobDeclaration.Of<PurgeRetentionJob>(
                PurgeRetentionJob.RecurringJobId, "Retention:Cron", provider.GetRequiredService<IOptions<RetentionOptions>>().Value.Cron,
                job => job.ExecuteAsync(CancellationToken.None), provider.GetRequiredService<IOptions<HandoverOptions>>().Value.CouncilZone()),
        ]);
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
    public Task ExecuteAsync(CancellationToken cancellationToken) => purge.PurgeAsync(cancellationToken);
}
