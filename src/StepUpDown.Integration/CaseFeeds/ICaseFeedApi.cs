using Refit;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>The case feed contract (<c>case-feed.v1.yaml</c>) as the worker calls it.</summary>
public interface ICaseFeedApi
{
    /// <summary>
    /// <c>getChildChanges</c>: children whose record changed after the cursor, oldest change first.
    /// The response is read as bytes (<see cref="RawPage"/>), never deserialized whole: one item's
    /// bytes must not stop the page.
    /// </summary>
    [Get("/api/v1/children/changes")]
    Task<HttpResponseMessage> GetChildChangesAsync(string? since, int? limit, CancellationToken cancellationToken);
}
