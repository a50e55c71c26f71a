using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Storage;
using Microsoft.Extensions.Options;
using StepUpDown.Integration.Configuration;
using StepUpDown.Integration.Jobs;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Worker;

/// <summary>Hangfire on PostgreSQL: storage in its own schema, a server in this instance, the recurring jobs.</summary>
public static class JobsServiceCollectionExtensions
{
    /// <summary>The schema of Hangfire's tables.</summary>
    public const string HangfireSchema = "hangfire";

    /// <summary>
    /// Registers Hangfire (storage in schema <c>hangfire</c> of the worker's database) and its server.
    /// <code>
    /// "Jobs": { "RunServer": true, "WorkerCount": 10, "QueuePollInterval": "00:00:15", "SchedulePollingInterval": "00:00:15" }
    /// </code>
    /// </summary>
    public static IHostApplicationBuilder AddJobs(this IHostApplicationBuilder builder, PostgresDatabase database)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(database);
        var jobs = builder.Configuration.GetSection(JobsOptions.SectionName).Get<JobsOptions>() ?? new JobsOptions();
        SectionValidation.ThrowIfInvalid(jobs, JobsOptions.SectionName);

        // The jobs format their own dates and text (en-GB, invariant), so Hangfire need not store
        // and restore the enqueuer's culture: two job parameters less to write and read per job.
        GlobalJobFilters.Filters.Remove<CaptureCultureAttribute>();
        SharedJobFilters.AddOnce(new DatabaseErrorsFilter());

        builder.Services.AddHangfire(configuration => configuration
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(
                options => options.UseNpgsqlConnection(database.ConnectionString),
                new PostgreSqlStorageOptions
                {
                    SchemaName = HangfireSchema,
                    PrepareSchemaIfNecessary = true,
                    QueuePollInterval = jobs.QueuePollInterval,
                    InvisibilityTimeout = jobs.InvisibilityTimeout,
                    UseSlidingInvisibilityTimeout = true,
                    EnableLongPolling = true,
                    // A killed instance's Hangfire locks (a recurring job's, while it was being
                    // scheduled) end after this rather than ten minutes: with the dispatch every
                    // 15 s, its successor takes over within the minute the design promises.
                    // Hangfire holds its locks for milliseconds to seconds, never near this; a
                    // lock taken from a slow holder only schedules a poll or a dispatch twice,
                    // which the source lock and the ledger's claims make harmless.
                    DistributedLockTimeout = TimeSpan.FromSeconds(30),
                }));
        if (jobs.RunServer)
        {
            builder.Services.AddHangfireServer((_, server) =>
            {
                server.WorkerCount = jobs.WorkerCount;
                server.SchedulePollingInterval = jobs.SchedulePollingInterval;
            });
        }

        builder.Services.AddSingleton(Options.Create(jobs));
        builder.Services.AddHostedService<RecurringJobRegistration>();
        return builder;
    }
}

/// <summary>
/// At start-up, makes Hangfire's recurring jobs match what the capabilities declared
/// (<see cref="RecurringJobs"/>, each in its own <c>AddXyz</c>): each wanted job added or
/// updated, each not wanted removed, and, with <c>Jobs:RemoveUnknownSourceJobs</c>, a job whose id
/// a capability owns but no longer declares (a source taken out of service) removed.
/// </summary>
internal sealed partial class RecurringJobRegistration(
    IRecurringJobManager recurringJobs,
    JobStorage storage,
    IEnumerable<RecurringJobs> capabilities,
    IServiceProvider services,
    IOptions<JobsOptions> jobs,
    ILogger<RecurringJobRegistration> logger) : IHostedService, IDisposable
{
    private static readonly TimeSpan LockRetryEvery = TimeSpan.FromSeconds(2);
    private readonly System.Collections.Concurrent.ConcurrentQueue<(string What, Action Register)> _locked = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task _retrying = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var declared = capabilities.Select(capability => (capability.OwnsIdsStartingWith, Jobs: capability.Declare(services).ToList())).ToList();
        foreach (var job in declared.SelectMany(capability => capability.Jobs))
        {
            if (job.Wanted)
            {
                var options = new RecurringJobOptions { TimeZone = job.TimeZone ?? TimeZoneInfo.Utc };
                Schedule(job.Setting, job.Cron!, () => recurringJobs.AddOrUpdate(job.Id, job.Job, job.Cron, options));
            }
            else
            {
                Register(job.Id, () => recurringJobs.RemoveIfExists(job.Id));
            }
        }

        if (jobs.Value.RemoveUnknownSourceJobs)
        {
            RemoveUndeclared(declared);
        }

        var registered = declared.Sum(capability => capability.Jobs.Count(job => job.Wanted));
        LogRegistered(logger, registered);

        if (!_locked.IsEmpty)
        {
            _retrying = RetryLockedAsync(_stopping.Token);
        }

        return Task.CompletedTask;
    }

    private void RemoveUndeclared(List<(string? OwnsIdsStartingWith, List<RecurringJobDeclaration> Jobs)> declared)
    {
        using var connection = storage.GetConnection();
        var registered = connection.GetRecurringJobs().Select(job => job.Id).ToList();
        foreach (var (prefix, owned) in declared.Where(capability => capability.OwnsIdsStartingWith is not null))
        {
            var wanted = owned.Where(job => job.Wanted).Select(job => job.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var stale in registered.Where(id => id.StartsWith(prefix!, StringComparison.Ordinal) && !wanted.Contains(id)))
            {
                Register(stale, () => recurringJobs.RemoveIfExists(stale));
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _retrying.WaitAsync(cancellationToken);
    }

    public void Dispose() => _stopping.Dispose();

    /// <summary>Registers one recurring job; a cron Hangfire cannot read stops start-up naming its setting.</summary>
    private void Schedule(string key, string cron, Action register)
    {
        try
        {
            Register(key, register);
        }
        catch (ArgumentException exception) when (exception.ParamName == "cronExpression" || exception.InnerException is FormatException)
        {
            throw new OptionsValidationException(key, typeof(string), [$"{key}: '{cron}' is not a cron expression (five or six fields, e.g. '0 8 * * 1'); {exception.GetType().Name}."]);
        }
    }

    /// <summary>
    /// Registers one recurring job, or, when its Hangfire lock is held, tries again in the
    /// background: a killed instance leaves the locks it held until Hangfire's
    /// <c>DistributedLockTimeout</c> ends them, and its successor must start meanwhile.
    /// </summary>
    private void Register(string what, Action register)
    {
        try
        {
            register();
        }
        catch (Exception exception) when (exception is DistributedLockTimeoutException or PostgreSqlDistributedLockException)
        {
            LogLocked(logger, what);
            _locked.Enqueue((what, register));
        }
    }

    private async Task RetryLockedAsync(CancellationToken stopping)
    {
        try
        {
            while (_locked.TryDequeue(out var next))
            {
                await Task.Delay(LockRetryEvery, stopping);
                Register(next.What, next.Register);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: the next start registers them.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recurring job {What} could not be registered yet: its Hangfire lock is held (a stopped instance's lock ends within 30 s); trying again")]
    private static partial void LogLocked(ILogger logger, string what);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} recurring jobs registered, as the capabilities declared them")]
    private static partial void LogRegistered(ILogger logger, int count);
}
