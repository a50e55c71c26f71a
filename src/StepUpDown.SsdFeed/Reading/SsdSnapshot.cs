using System.Data.Common;
using Dapper;

namespace StepUpDown.SsdFeed.Reading;

/// <summary>Everything the feed reads from the dataset in one refresh, grouped by person.</summary>
public sealed class SsdSnapshot
{
    /// <summary>Persons by id.</summary>
    public required IReadOnlyList<PersonRow> Persons { get; init; }

    /// <summary>Linked identifiers by person.</summary>
    public required ILookup<string, IdentifierRow> Identifiers { get; init; }

    /// <summary>Episodes of every kind by person.</summary>
    public required ILookup<string, EpisodeRow> Episodes { get; init; }

    /// <summary>CP reviews by plan.</summary>
    public required ILookup<string, ReviewRow> Reviews { get; init; }

    /// <summary>Involvements by person.</summary>
    public required ILookup<string, InvolvementRow> Involvements { get; init; }

    /// <summary>Professionals by professional id and by staff id.</summary>
    public required IReadOnlyDictionary<string, ProfessionalRow> Professionals { get; init; }

    /// <summary>Team names by team id.</summary>
    public required IReadOnlyDictionary<string, string> Teams { get; init; }

    /// <summary>The <c>GpPracticeQuery</c>'s rows by person (empty without one).</summary>
    public required IReadOnlyDictionary<string, GpPracticeRow> GpPractices { get; init; }

    /// <summary>The <c>StepDownQuery</c>'s rows by person (empty without one).</summary>
    public required IReadOnlyDictionary<string, StepDownRow> StepDowns { get; init; }

    /// <summary>Reads the dataset through <paramref name="dialect"/>; the optional queries run wrapped, so their columns are named once.</summary>
    public static async Task<SsdSnapshot> ReadAsync(
        SsdDialect dialect, string connectionString, string? gpPracticeQuery, string? stepDownQuery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        var queries = dialect.Queries();
        await using var connection = dialect.Connect(connectionString);
        await connection.OpenAsync(cancellationToken);

        var professionals = new Dictionary<string, ProfessionalRow>(StringComparer.Ordinal);
        foreach (var row in await QueryAsync<ProfessionalRow>(connection, queries["professionals"], cancellationToken))
        {
            professionals.TryAdd(row.ProfessionalId, row);
            if (row.StaffId is { Length: > 0 } staffId)
            {
                professionals.TryAdd(staffId, row);
            }
        }

        var teams = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in await QueryAsync<TeamRow>(connection, queries["teams"], cancellationToken))
        {
            teams.TryAdd(row.TeamId, row.Name ?? row.TeamId);
        }

        return new SsdSnapshot
        {
            Persons = await QueryAsync<PersonRow>(connection, queries["persons"], cancellationToken),
            Identifiers = (await QueryAsync<IdentifierRow>(connection, queries["identifiers"], cancellationToken)).ToLookup(r => r.PersonId, StringComparer.Ordinal),
            Episodes = (await QueryAsync<EpisodeRow>(connection, queries["episodes"], cancellationToken)).ToLookup(r => r.PersonId, StringComparer.Ordinal),
            Reviews = (await QueryAsync<ReviewRow>(connection, queries["reviews"], cancellationToken)).ToLookup(r => r.PlanId, StringComparer.Ordinal),
            Involvements = (await QueryAsync<InvolvementRow>(connection, queries["involvements"], cancellationToken)).ToLookup(r => r.PersonId, StringComparer.Ordinal),
            Professionals = professionals,
            Teams = teams,
            GpPractices = await OptionalAsync<GpPracticeRow>(connection, dialect.GpPracticeQuery(gpPracticeQuery), r => r.PersonId, cancellationToken),
            StepDowns = await OptionalAsync<StepDownRow>(connection, dialect.StepDownQuery(stepDownQuery), r => r.PersonId, cancellationToken),
        };
    }

    private static async Task<IReadOnlyList<T>> QueryAsync<T>(DbConnection connection, string sql, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<T>(new CommandDefinition(sql, commandTimeout: 600, cancellationToken: cancellationToken))).AsList();

    private static async Task<IReadOnlyDictionary<string, T>> OptionalAsync<T>(
        DbConnection connection, string? sql, Func<T, string> key, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<string, T>(StringComparer.Ordinal);
        if (sql is not null)
        {
            foreach (var row in await QueryAsync<T>(connection, sql, cancellationToken))
            {
                rows.TryAdd(key(row), row);
            }
        }

        return rows;
    }
}
