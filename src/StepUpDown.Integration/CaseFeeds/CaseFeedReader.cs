using System.Net;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>Reads one page of a case feed within bounds: a deadline for the whole page and a size limit.</summary>
internal static class CaseFeedReader
{
    /// <summary>
    /// One page, with a deadline that covers the body as well as the headers (a body that trickles
    /// in escapes the resilience handler's timeouts); null when the cursor has expired (410).
    /// </summary>
    public static async Task<ChangePage?> ReadPageAsync(
        ICaseFeedApi api, string source, CaseFeedSourceOptions options, string? cursor, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Resilience.TotalTimeout);
        try
        {
            using var response = await api.GetChildChangesAsync(cursor, options.PageSize, deadline.Token);
            if (response.StatusCode == HttpStatusCode.Gone && cursor is not null)
            {
                return null;
            }

            if (response.Error?.InnerException is ResponseTooLargeException tooLarge)
            {
                throw TooLarge(source, tooLarge);
            }

            if (response.Error is not null && deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw TimedOut(source, options);
            }

            return response.IsSuccessStatusCode && response.Content is { } page
                ? page with { Items = page.Items ?? [] }
                : throw new CaseFeedUnavailableException(source, response.StatusCode);
        }
        catch (ResponseTooLargeException tooLarge)
        {
            throw TooLarge(source, tooLarge);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(source, options);
        }
    }

    private static CaseFeedUnavailableException TimedOut(string source, CaseFeedSourceOptions options) =>
        new($"Case feed '{source}' did not deliver a whole page within {options.Resilience.TotalTimeout} (Resilience:TotalTimeout); the cursor was not moved.");

    private static CaseFeedUnavailableException TooLarge(string source, ResponseTooLargeException exception) =>
        new($"Case feed '{source}': {exception.Message}; the cursor was not moved.");
}
