using Microsoft.Extensions.Options;
using StepUpDown.Simulator;

namespace StepUpDown.Worker;

/// <summary>
/// The demo profile (<c>config/appsettings.Demo.json</c>, what <c>dotnet run</c> starts): the case
/// feed simulator runs inside the worker on the worker's own (accelerated) clock, and the demo's
/// data starts afresh at each run, so the scripted families are seen from day 0 again.
/// </summary>
public static partial class Demo
{
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
