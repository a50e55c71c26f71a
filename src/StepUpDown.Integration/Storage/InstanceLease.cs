using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace StepUpDown.Integration.Storage;

/// <summary>
/// This process's lease on the work it holds: a row in <c>stepupdown.instances</c> whose heartbeat
/// it renews every <see cref="Heartbeat"/>. Claims and sends are stamped with <see cref="Id"/>;
/// once the heartbeat is older than <see cref="AliveFor"/> (the process was killed, or lost the
/// database), any instance takes them over: a dead holder delays nothing for longer than that.
/// Times are the database's own (<c>now()</c>), so instances' clocks need not agree.
/// </summary>
public sealed partial class InstanceLease(NpgsqlDataSource dataSource, IOptions<LeaseOptions> options, ILogger<InstanceLease> logger) : BackgroundService
{
    /// <summary>How often the heartbeat is renewed (<c>Jobs:LeaseHeartbeat</c>).</summary>
    public TimeSpan Heartbeat => options.Value.LeaseHeartbeat;

    /// <summary>A heartbeat older than this is a dead instance's (<c>Jobs:LeaseAliveFor</c>).</summary>
    public TimeSpan AliveFor => options.Value.LeaseAliveFor;

    /// <summary>
    /// SQL true when the instance named by <paramref name="column"/> is alive (<c>@aliveFor</c> is
    /// <see cref="AliveFor"/>); false for null, an unknown or a silent one.
    /// </summary>
    public static string IsAliveSql(string column) =>
        $"EXISTS (SELECT 1 FROM stepupdown.instances i WHERE i.id = {column} AND i.heartbeat_at > now() - @aliveFor)";

    /// <summary>This process's id.</summary>
    public Guid Id { get; } = Guid.NewGuid();

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Heartbeat);
        do
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                await connection.ExecuteAsync(
                    """
                    INSERT INTO stepupdown.instances (id, started_at, heartbeat_at) VALUES (@Id, now(), now())
                    ON CONFLICT (id) DO UPDATE SET heartbeat_at = now();
                    DELETE FROM stepupdown.instances WHERE heartbeat_at < now() - interval '1 day';
                    """,
                    new { Id });
            }
            catch (NpgsqlException exception)
            {
                // The next beat tries again; until then peers may take over what this process holds.
                LogHeartbeatFailed(logger, exception.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            // A clean stop hands over at once: what this process still holds is free for its peers.
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await connection.ExecuteAsync("DELETE FROM stepupdown.instances WHERE id = @Id", new { Id });
        }
        catch (NpgsqlException exception)
        {
            LogHeartbeatFailed(logger, exception.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Instance heartbeat could not be written ({Error}); peers take over this instance's work after 20 s of silence")]
    private static partial void LogHeartbeatFailed(ILogger logger, string error);
}
