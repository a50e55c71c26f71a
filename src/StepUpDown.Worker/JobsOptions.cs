using System.ComponentModel.DataAnnotations;

namespace StepUpDown.Worker;

/// <summary>The Hangfire server in this instance (section <c>Jobs</c>).</summary>
public sealed class JobsOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Jobs";

    /// <summary>False: this instance enqueues jobs but runs none (another instance does).</summary>
    public bool RunServer { get; set; } = true;

    /// <summary>Concurrent jobs in this instance.</summary>
    [Range(1, 100)]
    public int WorkerCount { get; set; } = 10;

    /// <summary>Fallback poll of the job queue; new jobs are normally picked up at once (LISTEN/NOTIFY).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often delayed jobs and retries are moved to the queue.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan SchedulePollingInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a fetched job stays invisible to other servers without its server's heartbeat
    /// (sliding: a live server keeps renewing it, however long the job runs). A job whose server
    /// was killed runs again on another within this time; Hangfire.PostgreSql's default is 30 min.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:15", "01:00:00")]
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// True: at start-up, remove the poll jobs of sources this instance's configuration does not
    /// name (a source taken out of service). False by default: during a rolling deploy an instance
    /// still on an older configuration must not delete the polls of sources a newer one added.
    /// </summary>
    public bool RemoveUnknownSourceJobs { get; set; }
}
