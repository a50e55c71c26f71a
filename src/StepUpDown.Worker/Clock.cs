using System.ComponentModel.DataAnnotations;

namespace StepUpDown.Worker;

/// <summary>The worker's clock (section <c>Clock</c>).</summary>
public sealed class ClockOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Clock";

    /// <summary>
    /// How many times faster than real time the worker's dates run: 1 in production; 1440 makes a
    /// minute a day, so a 15-working-day ladder can be watched in about 20 minutes.
    /// </summary>
    [Range(1, 100_000)]
    public double Speed { get; set; } = 1;
}
