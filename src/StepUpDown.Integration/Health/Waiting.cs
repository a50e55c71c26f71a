using StepUpDown.Domain.Handovers;

namespace StepUpDown.Integration.Health;

/// <summary>What the readiness checks of lists a person works through share (quarantined records, unanswered bounces, replies): how long is too long.</summary>
public static class Waiting
{
    /// <summary>True when the oldest item, waiting since <paramref name="oldest"/> (UTC), has waited more than a working day by now.</summary>
    public static bool OverAWorkingDay(WorkingDayCalendar calendar, DateTime? oldest, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        ArgumentNullException.ThrowIfNull(time);
        return oldest is { } at && calendar.AgeInWorkingDays(DateOnly.FromDateTime(at), DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime)) > 1;
    }
}
