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
}
