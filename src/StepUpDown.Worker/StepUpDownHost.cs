using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Extensions.Logging;
using StepUpDown.Domain.Handovers;
using StepUpDown.Domain.Time;
using StepUpDown.Integration.CaseFeeds;
using StepUpDown.Integration.Configuration;
using StepUpDown.Integration.DeliveryEvidence;
using StepUpDown.Integration.Handovers;
using StepUpDown.Integration.Mail;
using StepUpDown.Integration.Monitoring;
using StepUpDown.Integration.Notifications;
using StepUpDown.Integration.Retention;
using StepUpDown.Integration.Storage;
using StepUpDown.Worker.Api;
using StepUpDown.Worker.Dashboard;
using StepUpDown.Worker.Health;

namespace StepUpDown.Worker;

/// <summary>Builds the worker: configuration from <c>config/</c>, database, capabilities, Hangfire.</summary>
public static class StepUpDownHost
{
    /// <summary>
    /// Makes the database ready (the private cluster when none is configured; migrations), then
    /// builds the host. <paramref name="overrides"/> are applied last (tests use them).
    /// </summary>
    /// <param name="args">Command-line arguments (settings as <c>--Section:Key=value</c>).</param>
    /// <param name="overrides">Settings applied last.</param>
    /// <param name="compose">Adds what runs beside the worker (the demo's simulator), before the database is opened.</param>
    /// <param name="cancellationToken">Cancels start-up.</param>
    public static async Task<StepUpDownApp> CreateAsync(
        string[] args,
        IReadOnlyDictionary<string, string?>? overrides = null,
        Action<IHostApplicationBuilder>? compose = null,
        CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var config = new ConfigFolder(Path.Combine(AppContext.BaseDirectory, "config"));
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddWorkerSources(config, builder.Environment.EnvironmentName, args).AddInMemoryCollection(overrides ?? new Dictionary<string, string?>());

        builder.Services.AddSerilog((services, logger) => logger.ReadFrom.Configuration(builder.Configuration).ReadFrom.Services(services).WriteToConsole(builder.Configuration));
        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton(CreateClock(builder.Configuration, builder.Environment));

        compose?.Invoke(builder);
        var database = await OpenDatabaseAsync(builder.Configuration, cancellationToken);
        try
        {
            builder.AddStorage(database);
            builder.AddTelemetry();
            builder.AddCaseFeeds();
            builder.AddNotifications();
            builder.AddDeliveryEvidence();
            builder.AddHandovers();
            builder.AddRetention();
            builder.AddMonitoring();
            builder.AddJobs(database);
            builder.AddDashboardAccess();

            var app = builder.Build();
            app.MapReadinessChecks();
            app.MapDashboard();
            app.MapLeadLookup();
            app.MapSourceNudge();
            return new StepUpDownApp(app, database);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A program's whole life: start-up logged to the console until the host's own logging takes
    /// over, the host built by <paramref name="create"/> run until it stops, a start-up failure
    /// logged as fatal. Returns the exit code (0, or 1 on failure).
    /// </summary>
    public static async Task<int> RunToEndAsync(string[] args, Func<Task<StepUpDownApp>> create, string what)
    {
        ArgumentNullException.ThrowIfNull(create);
        Log.Logger = BootstrapLogger(args);
        try
        {
            await using var app = await create();
            await app.RunAsync();
            return 0;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Log.Fatal(exception, "The {What} stopped: {Reason}", what, exception.Message);
            return 1;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }

    /// <summary>The worker's settings in the order the host reads them, so its files, environment and arguments override alike.</summary>
    private static IConfigurationBuilder AddWorkerSources(this IConfigurationBuilder configuration, ConfigFolder config, string environment, string[] args) =>
        configuration
            .AddJsonFile(config.Resolve("appsettings.json"), optional: false, reloadOnChange: false)
            .AddJsonFile(config.Resolve("continuum.json"), optional: false, reloadOnChange: false)
            .AddJsonFile(config.Resolve($"appsettings.{environment}.json"), optional: true, reloadOnChange: false)
            .AddEnvironmentVariables()
            .AddCommandLine(args);

    /// <summary>
    /// The console start-up logs to before the host has its own, in <c>Telemetry:LogFormat</c> (a
    /// JSON console is JSON from its first line); text when the settings cannot be read (the host then says why).
    /// </summary>
    private static Serilog.Extensions.Hosting.ReloadableLogger BootstrapLogger(string[] args)
    {
        var environment = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? Environments.Production;
        try
        {
            var configuration = new ConfigurationBuilder().AddWorkerSources(new ConfigFolder(Path.Combine(AppContext.BaseDirectory, "config")), environment, args).Build();
            return new LoggerConfiguration().WriteToConsole(configuration).CreateBootstrapLogger();
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException or FormatException or OptionsValidationException)
        {
            return new LoggerConfiguration().WriteToConsole(new ConfigurationBuilder().Build()).CreateBootstrapLogger();
        }
    }

    /// <summary>
    /// The system clock, or an accelerated one when <c>Clock:Speed</c> is above 1 (demos, trials,
    /// black-box tests). Never in Production: every ladder stage would reach the head of service within minutes.
    /// </summary>
    private static TimeProvider CreateClock(ConfigurationManager configuration, IHostEnvironment environment)
    {
        var clock = configuration.GetSection(ClockOptions.SectionName).Get<ClockOptions>() ?? new ClockOptions();
        SectionValidation.ThrowIfInvalid(clock, ClockOptions.SectionName);
        if (clock.Speed != 1 && environment.IsProduction())
        {
            throw new OptionsValidationException(
                ClockOptions.SectionName,
                typeof(ClockOptions),
                [$"{ClockOptions.SectionName}:Speed: must be 1 in Production (it is {clock.Speed}); a faster clock is for the Demo environment, trials and tests."]);
        }

        return clock.Speed > 1 ? new AcceleratedTimeProvider(TimeProvider.System, clock.Speed) : TimeProvider.System;
    }

    private static async Task<PostgresDatabase> OpenDatabaseAsync(IConfiguration configuration, CancellationToken cancellationToken)
    {
        // The host's logger does not exist yet: log start-up through the static Serilog logger.
        using var loggerFactory = new SerilogLoggerFactory(Log.Logger);
        return await PostgresDatabase.OpenAsync(configuration, loggerFactory.CreateLogger("StepUpDown.Database"), cancellationToken);
    }
}

/// <summary>The built worker and the database it owns; disposing stops both, the host first.</summary>
public sealed class StepUpDownApp(WebApplication app, PostgresDatabase database) : IAsyncDisposable
{
    private bool _disposed;

    /// <summary>The host's services.</summary>
    public IServiceProvider Services => app.Services;

    /// <summary>Starts the host; bad settings fail here, naming their keys.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        // Read the council's files now, so a broken one stops start-up rather than a job.
        try
        {
            // The resolver holds the GP and agency directories and the secure-domain list.
            _ = app.Services.GetRequiredService<RecipientResolver>();
            _ = app.Services.GetRequiredService<WorkingDayCalendar>();
            CheckTemplates();
            foreach (var task in app.Services.GetServices<IStartupTask>())
            {
                await task.RunAsync(cancellationToken);
            }

            await app.StartAsync(cancellationToken);
        }
        catch (AggregateException aggregate) when (aggregate.InnerExceptions.All(e => e is OptionsValidationException))
        {
            // The host gathers every failing section; report them as one list of keys.
            var failures = aggregate.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures).ToList();
            throw new OptionsValidationException("configuration", typeof(object), failures);
        }
    }

    /// <summary>Renders every message kind over sample data: a template that does not parse or render stops start-up, naming its file.</summary>
    private void CheckTemplates()
    {
        var samples = HandoverSamples.WithRules(
            app.Services.GetRequiredService<IOptions<CouncilOptions>>().Value, app.Services.GetRequiredService<IOptions<HandoverOptions>>().Value.ToLadder());
        var failures = app.Services.GetRequiredService<MessageTemplates>().Check(samples);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(NotificationOptions.SectionName, typeof(NotificationOptions), failures);
        }
    }

    /// <summary>Runs until shut down.</summary>
    public async Task RunAsync()
    {
        await StartAsync();
        await app.WaitForShutdownAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            await app.StopAsync();
        }
        finally
        {
            await app.DisposeAsync();
            await database.DisposeAsync();
        }
    }
}
