using Microsoft.Extensions.Options;
using StepUpDown.Simulator;
using StepUpDown.Worker;

namespace StepUpDown.Demo;

/// <summary>
/// The demo (<c>appsettings.Demo.json</c>, what the README's first command starts): the worker
/// composed with the case feed simulator and its mail relay, on the worker's own (accelerated)
/// clock; the demo's data starts afresh at each run, so the scripted families are seen from day 0 again.
/// </summary>
public static partial class Demo
{
    /// <summary>The worker host with the simulator beside it (in the Demo environment unless told otherwise).</summary>
    public static Task<StepUpDownApp> CreateAsync(string[] args, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        if (Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") is null && !args.Contains("--environment"))
        {
            args = [.. args, "--environment", "Demo"];
        }

        return StepUpDownHost.CreateAsync(args, overrides, compose: builder =>
        {
            if (IsEnabled(builder.Configuration))
            {
                ResetData();
                builder.AddSimulator();
            }
        });
    }

    /// <summary>Where the demo keeps its data; only this folder is ever cleared.</summary>
    public const string DataDirectory = ".data/demo";

    /// <summary>True when <c>Simulator:Enabled</c> is set.</summary>
    public static bool IsEnabled(IConfiguration configuration) => configuration.GetValue<bool>("Simulator:Enabled");

    /// <summary>Clears the demo's previous run: its private database and mailbox, under <see cref="DataDirectory"/> only.</summary>
    public static void ResetData()
    {
        var folder = Path.GetFullPath(DataDirectory);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Runs the simulator beside the worker (registered before Hangfire, so it answers the first poll).</summary>
    public static IHostApplicationBuilder AddSimulator(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<SimulatorOptions>(builder.Configuration.GetSection("Simulator"));
        builder.Services.AddHostedService<SimulatorService>();
        return builder;
    }

    private sealed partial class SimulatorService(TimeProvider time, IOptions<SimulatorOptions> options, ILogger<SimulatorService> logger) : IHostedService, IAsyncDisposable
    {
        private WebApplication? _app;
        private DemoMailbox? _mailbox;

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            if (options.Value.MailboxPort > 0)
            {
                _mailbox = new DemoMailbox(options.Value.MailboxPort, options.Value.MailboxDirectory);
                _mailbox.Start();
                LogMailbox(logger, options.Value.MailboxPort, options.Value.MailboxDirectory);
            }

            _app = new SimulatorApp(time).Build(options.Value);
            await _app.StartAsync(cancellationToken);
            LogStarted(logger, options.Value.Urls);
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            if (_app is not null)
            {
                await _app.StopAsync(cancellationToken);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_app is not null)
            {
                await _app.DisposeAsync();
            }

            if (_mailbox is not null)
            {
                await _mailbox.DisposeAsync();
            }
        }

        [LoggerMessage(Level = LogLevel.Information, Message = "Demo: case feed simulator serving fictional families on {Urls}")]
        private static partial void LogStarted(ILogger logger, string urls);

        [LoggerMessage(Level = LogLevel.Information, Message = "Demo: mail relay on 127.0.0.1:{Port} keeping each message in {Folder}")]
        private static partial void LogMailbox(ILogger logger, int port, string folder);
    }
}
