using System.ComponentModel.DataAnnotations;

namespace StepUpDown.Integration.Storage;

/// <summary>
/// How long an instance's hold on its work lasts without a sign of life (section <c>Jobs</c>,
/// beside the Hangfire server's settings): the lease every instance heartbeats, and the claim of a
/// notice that is taken back however alive its holder looks. Today's values are the defaults.
/// </summary>
public sealed class LeaseOptions : IValidatableObject
{
    /// <summary>The configuration section (shared with the Hangfire server's settings).</summary>
    public const string SectionName = "Jobs";

    /// <summary>How often an instance renews its lease (<c>stepupdown.instances.heartbeat_at</c>).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan LeaseHeartbeat { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A lease not renewed for this long is a dead or hung instance's: its claims and sends are taken over.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "00:30:00")]
    public TimeSpan LeaseAliveFor { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>A notice claimed this long ago is claimed again whoever holds it (a safety net for a live process that lost track of it).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan StaleClaimAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (LeaseHeartbeat * 3 > LeaseAliveFor)
        {
            yield return new ValidationResult(
                $"must be at least three heartbeats ({nameof(LeaseHeartbeat)} {LeaseHeartbeat}): one late beat must not hand a live instance's work to a peer.", [nameof(LeaseAliveFor)]);
        }

        if (StaleClaimAfter <= LeaseAliveFor)
        {
            yield return new ValidationResult($"must be longer than {nameof(LeaseAliveFor)} ({LeaseAliveFor}).", [nameof(StaleClaimAfter)]);
        }
    }
}
