using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace StepUpDown.Domain.Monitoring;

/// <summary>The days a monitoring report covers, both ends included.</summary>
/// <param name="From">The first day.</param>
/// <param name="To">The last day.</param>
public sealed record ReportPeriod(DateOnly From, DateOnly To)
{
    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>The quarter (January–March, April–June, ...) that holds <paramref name="day"/>.</summary>
    public static ReportPeriod QuarterOf(DateOnly day)
    {
        var first = new DateOnly(day.Year, ((day.Month - 1) / 3 * 3) + 1, 1);
        return new ReportPeriod(first, first.AddMonths(3).AddDays(-1));
    }

    /// <summary>The longest period a report covers: enough for any steering group, and bounded work for one request.</summary>
    public const int MaxYears = 5;

    /// <summary>
    /// The period of two ISO dates (<c>yyyy-MM-dd</c>), the first day first; false when either
    /// does not parse, the period ends before it starts, or it is longer than <see cref="MaxYears"/>.
    /// </summary>
    public static bool TryParse(string? from, string? to, [NotNullWhen(true)] out ReportPeriod? period)
    {
        period = DateOnly.TryParseExact(from, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first)
                 && DateOnly.TryParseExact(to, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var last) && first <= last
                 && (first.Year > DateOnly.MaxValue.Year - MaxYears || last < first.AddYears(MaxYears))
            ? new ReportPeriod(first, last)
            : null;
        return period is not null;
    }

    /// <summary>The Monday that starts the week of <paramref name="day"/> (as PostgreSQL's <c>date_trunc('week', ...)</c>).</summary>
    public static DateOnly WeekOf(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));

    /// <summary>The quarter before this period's first day.</summary>
    public ReportPeriod PreviousQuarter() => QuarterOf(From.AddDays(-1));

    /// <summary>The quarter after this period's last day.</summary>
    public ReportPeriod NextQuarter() => QuarterOf(To.AddDays(1));

    /// <summary>
    /// True when the period is a whole quarter; councils number them in the financial year
    /// (April–June is Q1 of 2026/27), as the steering group's papers do.
    /// </summary>
    public bool IsQuarter => QuarterOf(From) == this;

    /// <summary>E.g. "1 July 2026 to 30 September 2026 (Q2 2026/27)".</summary>
    public override string ToString()
    {
        var dates = $"{From.ToString("d MMMM yyyy", EnGb)} to {To.ToString("d MMMM yyyy", EnGb)}";
        if (!IsQuarter)
        {
            return dates;
        }

        var quarter = ((From.Month - 4 + 12) % 12 / 3) + 1;
        var startYear = From.Month >= 4 ? From.Year : From.Year - 1;
        return $"{dates} (Q{quarter} {startYear}/{(startYear + 1) % 100:00})";
    }
}
