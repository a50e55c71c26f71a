using System.Net;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>Reads one page of a case feed within bounds: a deadline for the whole page and a size limit.</summary>
internal static class CaseFeedReader
{
    /// <summary>
    /// One page, with a deadline that covers the body as well as the headers (a body that trickles
    /// in escapes the resilience handler's timeouts); null when the cursor has expired (410). A
    /// page larger than <c>MaxResponseBytes</c> is asked for again at half the page size, down to
    /// one record, so an oversized page never stalls its source.
    /// </summary>
    public static async Task<RawPage?> ReadPageAsync(
        ICaseFeedApi api, string source, CaseFeedSourceOptions options, string? cursor, CancellationToken cancellationToken)
    {
        // A page larger than MaxResponseBytes is asked for again at half the size, down to one record.
        for (var pageSize = options.PageSize; ; pageSize /= 2)
        {
            try
            {
                return await ReadPageAsync(api, source, options, cursor, pageSize, cancellationToken);
            }
            catch (CaseFeedUnavailableException tooLarge) when (tooLarge.InnerException is ResponseTooLargeException && pageSize > 1)
            {
                // Asked again, smaller.
            }
        }
    }

    private static async Task<RawPage?> ReadPageAsync(
        ICaseFeedApi api, string source, CaseFeedSourceOptions options, string? cursor, int pageSize, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Resilience.TotalTimeout);
        try
        {
            using var response = await api.GetChildChangesAsync(cursor, pageSize, deadline.Token);
            if (response.StatusCode == HttpStatusCode.Gone && cursor is not null)
            {
                return null;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new CaseFeedUnavailableException(source, response.StatusCode);
            }

            // Read through the size limit's stream, whose refusal arrives unwrapped.
            await using var stream = await response.Content.ReadAsStreamAsync(deadline.Token);
            using var body = new MemoryStream();
            await stream.CopyToAsync(body, deadline.Token);
            return RawPage.Split(body.GetBuffer().AsMemory(0, (int)body.Length));
        }
        catch (ResponseTooLargeException tooLarge)
        {
            throw TooLarge(source, tooLarge);
        }
        catch (MalformedPageException malformed)
        {
            throw new CaseFeedUnavailableException($"Case feed '{source}' sent a body that is not a page ({malformed.Message}); the cursor was not moved.", malformed);
        }
        catch (Exception exception) when (exception is OperationCanceledException or HttpRequestException && deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(source, options);
        }
    }

    private static CaseFeedUnavailableException TimedOut(string source, CaseFeedSourceOptions options) =>
        new($"Case feed '{source}' did not deliver a whole page within {options.Resilience.TotalTimeout} (Resilience:TotalTimeout); the cursor was not moved.");

    private static CaseFeedUnavailableException TooLarge(string source, ResponseTooLargeException exception) =>
        new($"Case feed '{source}': {exception.Message}, even for one record; the cursor was not moved.", exception);
}
