using System.Linq.Expressions;
using Hangfire.Common;

namespace StepUpDown.Integration.Jobs;

/// <summary>
/// A recurring job as its capability declares it, beside the job, in its own <c>AddXyz</c>
/// (<see cref="RecurringJobsServiceCollectionExtensions.AddRecurringJobs"/>): the host registers
/// every declared job with Hangfire at start-up and knows no capability's job or schedule.
/// </summary>
/// <param name="Id">Hangfire's recurring job id.</param>
/// <param name="Setting">The setting its schedule comes from: a cron Hangfire cannot read stops start-up naming it.</param>
/// <param name="Cron">The schedule; null or blank when the job is not wanted (the setting is empty, the mailbox not read): it is removed.</param>
/// <param name="Job">What it runs.</param>
/// <param name="TimeZone">The zone the cron is read in (the council's: 08:00 is 08:00 in winter and in summer); null: UTC.</param>
public sealed record RecurringJobDeclaration(string Id, string Setting, string? Cron, Job Job, TimeZoneInfo? TimeZone = null)
{
    /// <summary>True when the job is wanted; else it is removed.</summary>
    public bool Wanted => !string.IsNullOrWhiteSpace(Cron);

    /// <summary>Declares <typeparamref name="TJob"/>'s <paramref name="run"/> on <paramref name="cron"/>.</summary>
    public static RecurringJobDeclaration Of<TJob>(string id, string setting, string? cron, Expression<Func<TJob, Task>> run, TimeZoneInfo? timeZone = null) =>
        new(id, setting, cron, Job.FromExpression(run), timeZone);
}
