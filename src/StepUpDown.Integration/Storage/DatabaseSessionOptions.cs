using System.ComponentModel.DataAnnotations;
using Npgsql;

namespace StepUpDown.Integration.Storage;

/// <summary>
/// How the worker's own database sessions notice an instance that hangs without dying (section
/// <c>Database:Sessions</c>; design: Guarantees). A paused VM, a frozen process or a host that lost
/// its network keeps its sessions open, and PostgreSQL would keep its locks for as long as it
/// thinks them alive (about two hours of TCP silence on Linux defaults). With these settings:
/// <list type="bullet">
/// <item>a session idle inside a transaction (a page write, a sweep batch) is ended after <see cref="HungAfter"/>, its locks with it;</item>
/// <item>a session holding a named lock (a source's poll, the bounce mailbox, a digest) is ended after <see cref="HungAfter"/> of silence, while a live holder's driver pings it every <see cref="KeepAlive"/>;</item>
/// <item>the server and the driver probe the TCP link, so a host that is gone is noticed within about <see cref="HungAfter"/>;</item>
/// <item>no statement waits more than <see cref="LockTimeout"/> for a lock: it fails, and its job is retried.</item>
/// </list>
/// Hangfire's own sessions are not changed (its locks have their own timeouts).
/// </summary>
public sealed class DatabaseSessionOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Database:Sessions";

    /// <summary>The connection option a lock holder's session reads its idle limit from.</summary>
    public const string HungAfterSetting = "stepupdown.hung_after";

    /// <summary>How often a live instance pings an open, idle session (Npgsql's keepalive).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Silence after which a session is taken for hung and ended: what it held is free for a peer.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan HungAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest any statement waits for a lock.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (KeepAlive * 2 > HungAfter)
        {
            yield return new ValidationResult(
                $"KeepAlive ({KeepAlive}) must be at most half of HungAfter ({HungAfter}): a live instance's sessions would be ended as hung.", [nameof(KeepAlive)]);
        }
    }

    /// <summary>The connection string with these limits in its options (added to what it already has).</summary>
    public string Apply(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { KeepAlive = Seconds(KeepAlive) };
        var probeAfter = Math.Max(1, Seconds(HungAfter) / 3);
        var probeEvery = Math.Max(1, Seconds(HungAfter) / 9);
        if (!OnUnixSocket(builder))
        {
            // A Unix socket has no TCP to probe (the server ignores its own keepalive settings there too).
            builder.TcpKeepAlive = true;
            builder.TcpKeepAliveTime = probeAfter;
            builder.TcpKeepAliveInterval = probeEvery;
        }

        var milliseconds = (long)HungAfter.TotalMilliseconds;
        var limits = string.Join(
            ' ',
            $"-c idle_in_transaction_session_timeout={milliseconds}",
            $"-c lock_timeout={(long)LockTimeout.TotalMilliseconds}",
            $"-c tcp_keepalives_idle={probeAfter}",
            $"-c tcp_keepalives_interval={probeEvery}",
            "-c tcp_keepalives_count=3",
            $"-c {HungAfterSetting}={milliseconds}");
        builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? limits : $"{builder.Options} {limits}";
        return builder.ConnectionString;
    }

    private static bool OnUnixSocket(NpgsqlConnectionStringBuilder builder) =>
        builder.Host?.Split(',').All(host => host.StartsWith('/') || host.StartsWith('@')) == true;

    private static int Seconds(TimeSpan span) => (int)Math.Ceiling(span.TotalSeconds);
}
