using System.Text.Json;
using Refit;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>The case feed contract (<c>case-feed.v1.yaml</c>) as the worker calls it.</summary>
public interface ICaseFeedApi
{
    /// <summary><c>getChildChanges</c>: children whose record changed after the cursor, oldest change first.</summary>
    [Get("/api/v1/children/changes")]
    Task<IApiResponse<ChangePage>> GetChildChangesAsync(string? since, int? limit, CancellationToken cancellationToken);
}

/// <summary>
/// A page of changes. Items stay raw JSON until each is parsed on its own, so that one
/// malformed record is quarantined without losing the rest of the page.
/// </summary>
public sealed record ChangePage
{
    /// <summary>The changed records, oldest change first.</summary>
    public IReadOnlyList<JsonElement> Items { get; init; } = [];

    /// <summary>Cursor after the last item; null only when nothing has ever changed.</summary>
    public string? NextCursor { get; init; }

    /// <summary>True when another page is ready now.</summary>
    public bool HasMore { get; init; }
}
