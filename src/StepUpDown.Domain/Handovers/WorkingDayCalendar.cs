using System.Text.Json;

namespace StepUpDown.Domain.Handovers;

/// <summary>
/// Working days: Monday to Friday, less the bank holidays of one division of the gov.uk list.
/// The calendar knows only the years its list covers; asking about any other date is a
/// <see cref="CalendarExhaustedException"/>, never a guess that counts a holiday as a working day.
/// </summary>
public sealed class WorkingDayCalendar
{
    private readonly HashSet<DateOnly> _holidays;

    /// <summary>A calendar of these holidays, covering the whole years <paramref name="firstYear"/> to <paramref name="lastYear"/>.</summary>
    public WorkingDayCalendar(IEnumerable<DateOnly> holidays, int firstYear, int lastYear)
    {
        ArgumentNullException.ThrowIfNull(holidays);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstYear, lastYear);
        _holidays = [.. holidays];
        FirstYear = firstYear;
        LastYear = lastYear;
    }

    /// <summary>The first year the calendar knows.</summary>
    public int FirstYear { get; }

    /// <summary>The last year the calendar knows.</summary>
    public int LastYear { get; }

    /// <summary>
    /// Reads the gov.uk <c>bank-holidays.json</c> format (<c>{"england-and-wales": {"events": [{"date": ...}]}}</c>)
    /// and keeps one division. The years covered are those its events span.
    /// </summary>
    /// <exception cref="FormatException">The division is missing or has no dates.</exception>
    public static WorkingDayCalendar FromGovUk(string json, string division)
    {
        using var document = JsonDocument.Parse(json);
        if (!document.RootElement.TryGetProperty(division, out var part) || !part.TryGetProperty("events", out var events))
        {
            throw new FormatException($"The bank holiday list has no '{division}' division with events.");
        }

        var dates = events.EnumerateArray()
            .Select(e => DateOnly.ParseExact(e.GetProperty("date").GetString() ?? "", "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        if (dates.Count == 0)
        {
            throw new FormatException($"The bank holiday list's '{division}' division has no dates.");
        }

        return new WorkingDayCalendar(dates, dates.Min().Year, dates.Max().Year);
    }

    /// <summary>True for a weekday that is not a bank holiday.</summary>
    /// <exception cref="CalendarExhaustedException">The date is outside the years the calendar covers.</exception>
    public bool IsWorkingDay(DateOnly date)
    {
        EnsureCovers(date);
        return date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !_holidays.Contains(date);
    }

    /// <summary>The working days after <paramref name="from"/> up to and including <paramref name="to"/> (0 when <paramref name="to"/> is not later).</summary>
    /// <exception cref="CalendarExhaustedException">A date in the range is outside the years the calendar covers.</exception>
    public int WorkingDaysBetween(DateOnly from, DateOnly to)
    {
        var count = 0;
        for (var day = from.AddDays(1); day <= to; day = day.AddDays(1))
        {
            if (IsWorkingDay(day))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// How long something has waited, for a readiness check: <see cref="WorkingDaysBetween"/>, or,
    /// where a date is outside the calendar, every day counted (an age is never hidden for want of
    /// holidays; the calendar's own check says it has run out).
    /// </summary>
    public int AgeInWorkingDays(DateOnly from, DateOnly to)
    {
        try
        {
            return WorkingDaysBetween(from, to);
        }
        catch (CalendarExhaustedException)
        {
            return Math.Max(0, to.DayNumber - from.DayNumber);
        }
    }

    /// <summary>The day <paramref name="workingDays"/> working days after <paramref name="from"/>: the first day <see cref="WorkingDaysBetween"/> reaches it.</summary>
    /// <exception cref="CalendarExhaustedException">A date on the way is outside the years the calendar covers.</exception>
    public DateOnly AddWorkingDays(DateOnly from, int workingDays)
    {
        var day = from;
        for (var counted = 0; counted < workingDays;)
        {
            day = day.AddDays(1);
            if (IsWorkingDay(day))
            {
                counted++;
            }
        }

        return day;
    }

    private void EnsureCovers(DateOnly date)
    {
        if (date.Year < FirstYear || date.Year > LastYear)
        {
            throw new CalendarExhaustedException(date, FirstYear, LastYear);
        }
    }
}

/// <summary>A date the bank holiday calendar does not cover: the worker refuses to guess.</summary>
public sealed class CalendarExhaustedException : Exception
{
    /// <summary>Creates the exception for a date outside the covered years.</summary>
    public CalendarExhaustedException(DateOnly date, int firstYear, int lastYear)
        : base($"The bank holiday calendar covers {firstYear} to {lastYear} only, not {date:yyyy-MM-dd}: "
               + "working days cannot be counted. Put a newer copy of gov.uk's bank-holidays.json in config/.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public CalendarExhaustedException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public CalendarExhaustedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CalendarExhaustedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
